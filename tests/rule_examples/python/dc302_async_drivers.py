# path: app/worker.py
import threading

RESULTS = []


async def charge(ctx, account_id, amount):  # error: DC101
    conn = ctx["db"]
    balance = await conn.fetchval("SELECT balance FROM accounts WHERE id = $1", account_id)  # error: DC302
    await conn.execute("UPDATE accounts SET balance = $1 WHERE id = $2", balance - amount, account_id)


async def charge2(ctx, account_id, amount):  # error: DC101
    row = await ctx["db"].fetchrow(  # error: DC302
       "SELECT balance FROM accounts WHERE id = $1", account_id)
    await ctx["db"].execute("UPDATE accounts SET balance = $1 WHERE id = $2", row["balance"] - amount, account_id)


async def charge_relative(ctx, account_id, amount):  # error: DC101
    await ctx["db"].execute("UPDATE accounts SET balance = balance - $1 WHERE id = $2", amount, account_id)  # ok: DC302  # error: DC202


async def charge_databases(database, account_id, amount):
    row = await database.fetch_one(  # error: DC302
       "SELECT balance FROM accounts WHERE id = :id", {"id": account_id})
    await database.execute("UPDATE accounts SET balance = :b WHERE id = :id", {"b": row["balance"] - amount, "id": account_id})


def collect(item):  # error: DC101
    RESULTS.append(item * 2)  # ok: DC305


def collect_once(item):  # error: DC101
    if item not in RESULTS:  # error: DC305
        RESULTS.append(item)


def run(items):
    threads = [threading.Thread(target=collect, args=(i,)) for i in items]
    threads += [threading.Thread(target=collect_once, args=(i,)) for i in items]
    for t in threads:
        t.start()


class WorkerSettings:
    functions = [charge, charge2, charge_relative]
