"""Realistic branches for measuring detection: each has a base, a head, and what a careful
reviewer expects — whether the change must be flagged, and where the hazards are.

``hazards`` lists (path, line) pairs of the head version (or ("base", path, line) for a removed
safeguard) where a `high` finding must point: the line must fall within [line, end_line] of a
high finding in that file. ``safe`` marks changes that must not produce any `high` finding.
These are written to describe real code, not to suit the rules: when a rule misses one, the
measured figures say so.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Scenario:
    name: str
    base: dict[str, str]
    head: dict[str, str | None]
    flagged: bool
    hazards: list[tuple] = field(default_factory=list)
    safe: bool = False


S: list[Scenario] = []


def scenario(name, base, head, flagged, hazards=(), safe=False):
    S.append(Scenario(name, base, head, flagged, list(hazards), safe))


MODELS = "from django.db import models\n\n\nclass Product(models.Model):\n    stock = models.IntegerField()\n    version = models.IntegerField(default=0)\n"

# --- Django ORM in Celery tasks ---------------------------------------------------------------
scenario(
    "django-celery-incident",
    {"shop/models.py": MODELS, "shop/tasks.py": (
        "from celery import shared_task\nfrom django.db.models import F\n\nfrom .models import Product\n\n\n"
        "@shared_task\ndef reserve(pid, qty):\n    Product.objects.filter(pk=pid).update(stock=F('stock') - qty)\n")},
    {"shop/tasks.py": (
        "from celery import shared_task\n\nfrom .models import Product\n\n\n"
        "@shared_task\ndef reserve(pid, qty):\n    product = Product.objects.get(pk=pid)\n"
        "    product.stock = product.stock - qty\n    product.save()\n")},
    True, [("shop/tasks.py", 9), ("base", "shop/tasks.py", 9)],
)
scenario(
    "django-augmented-assign-in-task",
    {"shop/models.py": MODELS, "shop/tasks.py": "from celery import shared_task\n\n\n@shared_task\ndef noop():\n    pass\n"},
    {"shop/tasks.py": (
        "from celery import shared_task\n\nfrom .models import Product\n\n\n@shared_task\ndef restock(pid, qty):\n"
        "    p = Product.objects.get(pk=pid)\n    p.stock += qty\n    p.save(update_fields=['stock'])\n")},
    True, [("shop/tasks.py", 9)],
)
scenario(
    "django-view-read-modify-save",
    {"shop/models.py": MODELS, "shop/views.py": "def index(request):\n    return None\n"},
    {"shop/views.py": (
        "from .models import Product\n\n\ndef index(request):\n    return None\n\n\n"
        "def buy(request, pid):\n    product = Product.objects.get(pk=pid)\n    product.stock = product.stock - 1\n"
        "    product.save()\n    return None\n")},
    True, [("shop/views.py", 10)],
)
scenario(
    "django-f-expression-is-safe",
    {"shop/models.py": MODELS, "shop/views.py": "def index(request):\n    return None\n"},
    {"shop/views.py": (
        "from django.db.models import F\n\nfrom .models import Product\n\n\ndef index(request):\n    return None\n\n\n"
        "def buy(request, pid):\n    Product.objects.filter(pk=pid).update(stock=F('stock') - 1)\n")},
    True, safe=True,
)
scenario(
    "django-select-for-update-is-safe",
    {"shop/models.py": MODELS, "shop/services.py": "def noop():\n    pass\n"},
    {"shop/services.py": (
        "from django.db import transaction\n\nfrom .models import Product\n\n\ndef noop():\n    pass\n\n\n"
        "def buy(pid):\n    with transaction.atomic():\n        p = Product.objects.select_for_update().get(pk=pid)\n"
        "        p.stock = p.stock - 1\n        p.save()\n")},
    True, safe=True,
)
scenario(
    "django-optimistic-version-check-is-safe",
    {"shop/models.py": MODELS, "shop/services.py": "def noop():\n    pass\n"},
    {"shop/services.py": (
        "from django.db.models import F\n\nfrom .models import Product\n\n\ndef noop():\n    pass\n\n\n"
        "def buy(pid):\n    p = Product.objects.get(pk=pid)\n    updated = Product.objects.filter(pk=pid, version=p.version).update(\n"
        "        stock=p.stock - 1, version=F('version') + 1\n    )\n    if updated == 0:\n        raise RuntimeError('retry')\n")},
    True, safe=True,
)
scenario(
    "django-check-then-create-in-task",
    {"shop/models.py": MODELS + "\n\nclass Reservation(models.Model):\n    order_id = models.IntegerField()\n",
     "shop/tasks.py": "from celery import shared_task\n\n\n@shared_task\ndef noop():\n    pass\n"},
    {"shop/tasks.py": (
        "from celery import shared_task\n\nfrom .models import Reservation\n\n\n@shared_task\ndef reserve(order_id):\n"
        "    if not Reservation.objects.filter(order_id=order_id).exists():\n        Reservation.objects.create(order_id=order_id)\n")},
    True, [("shop/tasks.py", 9)],
)
scenario(
    "django-get-or-create-is-safe",
    {"shop/models.py": MODELS, "shop/services.py": "def noop():\n    pass\n"},
    {"shop/services.py": "from .models import Product\n\n\ndef noop():\n    pass\n\n\ndef ensure(pid):\n    Product.objects.get_or_create(pk=pid, defaults={'stock': 0})\n"},
    False, safe=True,  # new code using get_or_create: only replacing a create() is a change in concurrency control
)
scenario(
    "django-lock-removed",
    {"shop/models.py": MODELS, "shop/services.py": (
        "from django.db import transaction\n\nfrom .models import Product\n\n\ndef buy(pid):\n    with transaction.atomic():\n"
        "        p = Product.objects.select_for_update().get(pk=pid)\n        p.stock -= 1\n        p.save()\n")},
    {"shop/services.py": (
        "from .models import Product\n\n\ndef buy(pid):\n    p = Product.objects.get(pk=pid)\n    p.stock -= 1\n    p.save()\n")},
    True, [("shop/services.py", 6), ("base", "shop/services.py", 8)],
)
scenario(
    "django-management-command-writes",
    {"shop/models.py": MODELS, "shop/management/commands/recount.py": (
        "from django.core.management.base import BaseCommand\n\n\nclass Command(BaseCommand):\n    def handle(self, *args, **options):\n        pass\n")},
    {"shop/management/commands/recount.py": (
        "from django.core.management.base import BaseCommand\n\nfrom shop.models import Product\n\n\nclass Command(BaseCommand):\n"
        "    def handle(self, *args, **options):\n        Product.objects.filter(stock__lt=0).update(stock=0)\n")},
    True,
)
# --- SQLAlchemy ---------------------------------------------------------------------------------
scenario(
    "sqlalchemy-session-get-modify-commit",
    {"billing/models.py": "class Account:\n    balance = 0\n", "billing/worker.py": "def noop():\n    pass\n"},
    {"billing/worker.py": (
        "from billing.models import Account\n\n\ndef noop():\n    pass\n\n\ndef charge(session, account_id, amount):\n"
        "    account = session.get(Account, account_id)\n    account.balance = account.balance - amount\n    session.commit()\n")},
    True, [("billing/worker.py", 10)],
)
scenario(
    "sqlalchemy-with-for-update-is-safe",
    {"billing/models.py": "class Account:\n    balance = 0\n", "billing/worker.py": "def noop():\n    pass\n"},
    {"billing/worker.py": (
        "from sqlalchemy import select\n\nfrom billing.models import Account\n\n\ndef noop():\n    pass\n\n\n"
        "def charge(session, account_id, amount):\n    stmt = select(Account).where(Account.id == account_id).with_for_update()\n"
        "    account = session.execute(stmt).scalar_one()\n    account.balance = account.balance - amount\n    session.commit()\n")},
    True, safe=True,
)
# --- raw SQL -------------------------------------------------------------------------------------
scenario(
    "raw-sql-select-then-update",
    {"jobs/stock.py": "def noop():\n    pass\n"},
    {"jobs/stock.py": (
        "def noop():\n    pass\n\n\ndef reserve(cursor, pid, qty):\n"
        "    cursor.execute('SELECT stock FROM products WHERE id = %s', (pid,))\n    (stock,) = cursor.fetchone()\n"
        "    cursor.execute('UPDATE products SET stock = %s WHERE id = %s', (stock - qty, pid))\n")},
    True, [("jobs/stock.py", 8)],
)
scenario(
    "raw-sql-conditional-update-is-safe",
    {"jobs/stock.py": "def noop():\n    pass\n"},
    {"jobs/stock.py": (
        "def noop():\n    pass\n\n\ndef reserve(cursor, pid, qty):\n"
        "    cursor.execute('UPDATE products SET stock = stock - %s WHERE id = %s AND stock >= %s', (qty, pid, qty))\n"
        "    return cursor.rowcount == 1\n")},
    True, safe=True,  # adding an atomic conditional update is concurrency control: a warning, never high
)
# --- Redis and cache -----------------------------------------------------------------------------
scenario(
    "redis-get-then-set",
    {"rate/limit.py": "def noop():\n    pass\n"},
    {"rate/limit.py": (
        "def noop():\n    pass\n\n\ndef hit(redis, key):\n    count = int(redis.get(key) or 0)\n    redis.set(key, count + 1)\n")},
    True, [("rate/limit.py", 7)],
)
scenario(
    "redis-incr-is-safe",
    {"rate/limit.py": "def noop():\n    pass\n"},
    {"rate/limit.py": "def noop():\n    pass\n\n\ndef hit(redis, key):\n    return redis.incr(key)\n"},
    True, safe=True,  # an atomic counter on shared state: a warning, never high
)
scenario(
    "django-cache-get-then-set",
    {"stats/counters.py": "def noop():\n    pass\n"},
    {"stats/counters.py": (
        "from django.core.cache import cache\n\n\ndef noop():\n    pass\n\n\ndef bump(name):\n"
        "    value = cache.get(name, 0)\n    cache.set(name, value + 1)\n")},
    True, [("stats/counters.py", 10)],
)
scenario(
    "json-state-file-read-then-rewritten",
    {"sync/state.py": "from celery import shared_task\n\n\n@shared_task\ndef noop():\n    pass\n"},
    {"sync/state.py": (
        "import json\n\nfrom celery import shared_task\n\n\n@shared_task\ndef noop():\n    pass\n\n\n@shared_task\ndef advance(path):\n"
        "    with open(path) as fh:\n        state = json.load(fh)\n"
        "    state['cursor'] = state['cursor'] + 1\n    with open(path, 'w') as fh:\n        json.dump(state, fh)\n")},
    True, [("sync/state.py", 16)],
)
scenario(
    "module-global-dict-mutated-by-threads",
    {"cache/memo.py": "def noop():\n    pass\n"},
    {"cache/memo.py": (
        "import threading\n\nSEEN = {}\n\n\ndef noop():\n    pass\n\n\ndef record(key):\n    SEEN[key] = SEEN.get(key, 0) + 1\n\n\n"
        "def start(keys):\n    for k in keys:\n        threading.Thread(target=record, args=(k,)).start()\n")},
    True, [("cache/memo.py", 11)],
)
# --- other Python job frameworks -----------------------------------------------------------------
scenario(
    "rq-job-changed",
    {"app/jobs.py": "from rq.decorators import job\n\n\n@job('default')\ndef send(order_id):\n    return order_id\n"},
    {"app/jobs.py": "from rq.decorators import job\n\nfrom app.models import Order\n\n\n@job('default')\ndef send(order_id):\n    Order.objects.filter(pk=order_id).update(sent=True)\n    return order_id\n"},
    True,
)
scenario(
    "dramatiq-actor-lost-update",
    {"app/actors.py": "import dramatiq\n\n\n@dramatiq.actor\ndef credit(uid, n):\n    pass\n"},
    {"app/actors.py": (
        "import dramatiq\n\nfrom app.models import Wallet\n\n\n@dramatiq.actor\ndef credit(uid, n):\n"
        "    wallet = Wallet.objects.get(user_id=uid)\n    wallet.balance = wallet.balance + n\n    wallet.save()\n")},
    True, [("app/actors.py", 9)],
)
scenario(
    "arq-worker-function-changed",
    {"app/worker.py": "async def download(ctx, url):\n    return url\n\n\nclass WorkerSettings:\n    functions = [download]\n"},
    {"app/worker.py": "async def download(ctx, url):\n    await ctx['redis'].hset('seen', url, 1)\n    return url\n\n\nclass WorkerSettings:\n    functions = [download]\n"},
    True,
)
scenario(
    "apscheduler-job-changed",
    {"app/sched.py": "from apscheduler.schedulers.background import BackgroundScheduler\n\nsched = BackgroundScheduler()\n\n\ndef tick():\n    pass\n\n\nsched.add_job(tick, 'interval', seconds=5)\n"},
    {"app/sched.py": "from apscheduler.schedulers.background import BackgroundScheduler\n\nfrom app.models import Counter\n\nsched = BackgroundScheduler()\n\n\ndef tick():\n    c = Counter.objects.get(pk=1)\n    c.value = c.value + 1\n    c.save()\n\n\nsched.add_job(tick, 'interval', seconds=5)\n"},
    True, [("app/sched.py", 10)],
)
scenario(
    "kafka-consumer-changed",
    {"app/consume.py": "from kafka import KafkaConsumer\n\n\ndef run():\n    consumer = KafkaConsumer('orders')\n    for message in consumer:\n        print(message)\n"},
    {"app/consume.py": "from kafka import KafkaConsumer\n\nfrom app.models import Order\n\n\ndef run():\n    consumer = KafkaConsumer('orders')\n    for message in consumer:\n        Order.objects.create(payload=message.value)\n"},
    True,
)
scenario(
    "celery-retries-added-to-charge",
    {"pay/tasks.py": "from celery import shared_task\n\nimport stripe\n\n\n@shared_task\ndef charge(customer, amount):\n    stripe.Charge.create(customer=customer, amount=amount)\n"},
    {"pay/tasks.py": "from celery import shared_task\n\nimport stripe\n\n\n@shared_task(autoretry_for=(Exception,), max_retries=5)\ndef charge(customer, amount):\n    stripe.Charge.create(customer=customer, amount=amount)\n"},
    True,
)
scenario(
    "celery-beat-schedule-changed",
    {"proj/celery.py": "from celery import Celery\n\napp = Celery('proj')\napp.conf.beat_schedule = {\n    'recount': {'task': 'shop.tasks.recount', 'schedule': 3600.0},\n}\n"},
    {"proj/celery.py": "from celery import Celery\n\napp = Celery('proj')\napp.conf.beat_schedule = {\n    'recount': {'task': 'shop.tasks.recount', 'schedule': 60.0},\n}\n"},
    True,
)
# --- migrations ----------------------------------------------------------------------------------
scenario(
    "django-migration-remove-field",
    {"shop/migrations/0001_initial.py": "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    operations = []\n"},
    {"shop/migrations/0002_remove_legacy.py": (
        "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    dependencies = [('shop', '0001_initial')]\n"
        "    operations = [\n        migrations.RemoveField(model_name='product', name='legacy_code'),\n    ]\n")},
    True, [("shop/migrations/0002_remove_legacy.py", 7)],
)
scenario(
    "django-migration-runpython-without-reverse",
    {"shop/migrations/0001_initial.py": "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    operations = []\n"},
    {"shop/migrations/0002_backfill.py": (
        "from django.db import migrations\n\n\ndef forwards(apps, schema_editor):\n    Product = apps.get_model('shop', 'Product')\n"
        "    Product.objects.update(stock=0)\n\n\nclass Migration(migrations.Migration):\n    dependencies = [('shop', '0001_initial')]\n"
        "    operations = [migrations.RunPython(forwards)]\n")},
    True, [("shop/migrations/0002_backfill.py", 11)],
)
scenario(
    "django-migration-add-field-is-safe",
    {"shop/migrations/0001_initial.py": "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    operations = []\n"},
    {"shop/migrations/0002_add_sku.py": (
        "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    dependencies = [('shop', '0001_initial')]\n"
        "    operations = [\n        migrations.AddField(model_name='product', name='sku', field=models.CharField(max_length=20, default='')),\n    ]\n")},
    False, safe=True,
)
scenario(
    "alembic-drop-column",
    {"alembic/versions/a1_init.py": "def upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n"},
    {"alembic/versions/b2_drop.py": (
        "from alembic import op\n\nrevision = 'b2'\ndown_revision = 'a1'\n\n\ndef upgrade():\n    op.drop_column('products', 'legacy')\n\n\n"
        "def downgrade():\n    raise NotImplementedError\n")},
    True, [("alembic/versions/b2_drop.py", 8)],
)
scenario(
    "sql-migration-drop-table",
    {"db/migrations/V1__init.sql": "CREATE TABLE products (id int);\n"},
    {"db/migrations/V2__drop_legacy.sql": "-- remove the old table\nDROP TABLE legacy_orders;\n"},
    True, [("db/migrations/V2__drop_legacy.sql", 2)],
)
# --- other languages -----------------------------------------------------------------------------
scenario(
    "ruby-sidekiq-lost-update",
    {"app/workers/restock_worker.rb": "class RestockWorker\n  include Sidekiq::Worker\n\n  def perform(id)\n  end\nend\n"},
    {"app/workers/restock_worker.rb": (
        "class RestockWorker\n  include Sidekiq::Worker\n\n  def perform(id, qty)\n    product = Product.find(id)\n"
        "    product.update!(stock: product.stock + qty)\n  end\nend\n")},
    True, [("app/workers/restock_worker.rb", 6)],
)
scenario(
    "ruby-with-lock-is-safe",
    {"app/services/restock.rb": "class Restock\nend\n"},
    {"app/services/restock.rb": "class Restock\n  def call(product, qty)\n    product.with_lock do\n      product.update!(stock: product.stock + qty)\n    end\n  end\nend\n"},
    True, safe=True,
)
scenario(
    "rails-migration-remove-column",
    {"db/migrate/20260101000000_init.rb": "class Init < ActiveRecord::Migration[7.1]\n  def change\n  end\nend\n"},
    {"db/migrate/20260201000000_drop_legacy.rb": "class DropLegacy < ActiveRecord::Migration[7.1]\n  def change\n    remove_column :products, :legacy\n  end\nend\n"},
    True, [("db/migrate/20260201000000_drop_legacy.rb", 3)],
)
scenario(
    "js-bullmq-worker-lost-update",
    {"src/worker.js": "const { Worker } = require('bullmq');\n\nnew Worker('orders', async (job) => {\n  return job.id;\n});\n"},
    {"src/worker.js": (
        "const { Worker } = require('bullmq');\nconst { Product } = require('./models');\n\nnew Worker('orders', async (job) => {\n"
        "  const product = await Product.findByPk(job.data.productId);\n  product.stock = product.stock - job.data.qty;\n"
        "  await product.save();\n  return job.id;\n});\n")},
    True, [("src/worker.js", 6)],
)
scenario(
    "js-sequelize-decrement-is-safe",
    {"src/service.js": "module.exports = {};\n"},
    {"src/service.js": "async function buy(Product, id, qty) {\n  await Product.decrement('stock', { by: qty, where: { id } });\n}\nmodule.exports = { buy };\n"},
    True, safe=True,  # an atomic decrement is concurrency control: a warning, never high
)
scenario(
    "go-goroutines-write-shared-map",
    {"cache/cache.go": "package cache\n\nvar hits = map[string]int{}\n"},
    {"cache/cache.go": "package cache\n\nvar hits = map[string]int{}\n\nfunc Record(keys []string) {\n\tfor _, k := range keys {\n\t\tgo func(k string) {\n\t\t\thits[k] = hits[k] + 1\n\t\t}(k)\n\t}\n}\n"},
    True, [("cache/cache.go", 8)],
)
scenario(
    "java-scheduled-jpa-read-modify-save",
    {"src/main/java/shop/StockJob.java": "package shop;\n\npublic class StockJob {\n}\n"},
    {"src/main/java/shop/StockJob.java": (
        "package shop;\n\npublic class StockJob {\n    @Scheduled(fixedRate = 5000)\n    public void restock() {\n"
        "        Product p = repository.findById(1L).orElseThrow();\n        p.setStock(p.getStock() + 10);\n        repository.save(p);\n    }\n}\n")},
    True, [("src/main/java/shop/StockJob.java", 7)],
)
# --- configuration ------------------------------------------------------------------------------
scenario(
    "procfile-concurrency-raised",
    {"Procfile": "web: gunicorn app.wsgi\nworker: celery -A proj worker --concurrency 1\n"},
    {"Procfile": "web: gunicorn app.wsgi\nworker: celery -A proj worker --concurrency 8\n"},
    True,
)
scenario(
    "k8s-worker-replicas-raised",
    {"deploy/worker.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: celery-worker\nspec:\n  replicas: 1\n"},
    {"deploy/worker.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: celery-worker\nspec:\n  replicas: 6\n"},
    True,
)
# --- harmless look-alikes -----------------------------------------------------------------------
scenario(
    "local-variables-named-queue-and-task",
    {"app/util.py": "def noop():\n    pass\n"},
    {"app/util.py": "def noop():\n    pass\n\n\ndef plan(items):\n    queue = list(items)\n    task = queue.pop()\n    worker = task.upper()\n    return worker\n"},
    False, safe=True,
)
scenario(
    "comments-and-docstrings-mention-save",
    {"app/notes.py": "def noop():\n    pass\n"},
    {"app/notes.py": (
        "def noop():\n    pass\n\n\ndef describe():\n    \"\"\"Workers call product.save() after Product.objects.get(); see the task queue docs.\"\"\"\n"
        "    # product.stock = product.stock - 1 then save(): this is what we must never do\n    return 'select_for_update is used by the celery task'\n")},
    False, safe=True,
)
scenario(
    "tests-only-change",
    {"tests/test_stock.py": "def test_nothing():\n    pass\n"},
    {"tests/test_stock.py": (
        "from shop.models import Product\n\n\ndef test_nothing():\n    pass\n\n\ndef test_decrement(db):\n"
        "    p = Product.objects.get(pk=1)\n    p.stock = p.stock - 1\n    p.save()\n")},
    False, safe=True,
)
scenario(
    "plain-orm-write-in-view",
    {"blog/views.py": "def index(request):\n    return None\n"},
    {"blog/views.py": "from .models import Post\n\n\ndef index(request):\n    return None\n\n\ndef publish(request, pid):\n    post = Post.objects.get(pk=pid)\n    post.published = True\n    post.save()\n    return None\n"},
    False, safe=True,
)
scenario(
    "docs-and-readme-change",
    {"README.md": "# Shop\n", "docs/workers.md": "Workers\n"},
    {"README.md": "# Shop\n\nRun celery workers with --concurrency 8 and call product.save().\n", "docs/workers.md": "Workers read the queue.\n"},
    False, safe=True,
)
scenario(
    "pure-function-refactor",
    {"app/pricing.py": "def total(items):\n    s = 0\n    for i in items:\n        s = s + i.price\n    return s\n"},
    {"app/pricing.py": "def total(items):\n    return sum(i.price for i in items)\n"},
    False, safe=True,
)
scenario(
    "js-local-queue-array",
    {"src/util.js": "module.exports = {};\n"},
    {"src/util.js": "function drain(items) {\n  const queue = [...items];\n  const worker = queue.shift();\n  return worker;\n}\nmodule.exports = { drain };\n"},
    False, safe=True,
)
scenario(
    "counter-in-local-dict",
    {"app/stats.py": "def noop():\n    pass\n"},
    {"app/stats.py": "def noop():\n    pass\n\n\ndef histogram(words):\n    counts = {}\n    for w in words:\n        counts[w] = counts.get(w, 0) + 1\n    return counts\n"},
    False, safe=True,
)
