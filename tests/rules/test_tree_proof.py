"""The proof of unchanged behaviour (rules/trees/units.py) on pairs of real source read by the
real tree-sitter grammars: which steps prove a pair the same, and the cases each step refuses."""

from __future__ import annotations

import pytest

from deploycheck.rules.trees.parse import parse_bytes
from deploycheck.rules.trees.units import proof_of_no_change

IMPORTS = "import org.springframework.core.log.LogAccessor;\nimport java.util.Collection;\n"


def _java(body: str, imports: str = IMPORTS, head: str = "class A") -> str:
    return f"{imports}{head} {{\n{body}\n}}\n"


def _proof(language: str, base: str, head: str):
    a, b = parse_bytes(language, base.encode()), parse_bytes(language, head.encode())
    return proof_of_no_change(a.root, a, b.root, b)


SAME = [
    # a logger field loses `final`; its value only reads another logger, builds one, or asks a factory
    ("java", _java("private final LogAccessor logger = A.this.logger;"), _java("private LogAccessor logger = A.this.logger;"),
     "logging"),
    ("java", _java("private final LogAccessor logger = new LogAccessor(LogFactory.getLog(getClass()));"),
     _java("private LogAccessor logger = new LogAccessor(LogFactory.getLog(getClass()));"), "logging"),
    ("java", _java("void f() { a(); }", "import org.slf4j.Logger;\n"),
     _java('void f() { Logger log = LoggerFactory.getLogger("x"); a(); log.info("y"); }', "import org.slf4j.Logger;\n"),
     "logging"),
    ("kotlin", "import org.slf4j.Logger\nclass A {\n private val log: Logger = LoggerFactory.getLogger(A::class.java)\n}",
     "import org.slf4j.Logger\nclass A {\n protected val log: Logger = LoggerFactory.getLogger(A::class.java)\n}",
     "logging"),
    # java.util.Collection written out or imported
    ("java", _java("void f(java.util.Collection<X> c) { a(); }"), _java("void f(Collection<X> c) { a(); }"), "imports"),
    ("kotlin", "import java.util.Collection\nclass A {\n fun f(c: java.util.Collection<X>) { a() }\n}",
     "import java.util.Collection\nclass A {\n fun f(c: Collection<X>) { a() }\n}", "imports"),
    # a last catch that only logs and rethrows
    ("java", _java("void f() { try { a(); } finally { b(); } }"),
     _java("void f() { try { a(); } catch (E e) { throw e; } finally { b(); } }"), "logging"),
    ("java", _java("void f() { try { a(); } catch (F f) { b(); } }"),
     _java("void f() { try { a(); } catch (F f) { b(); } catch (E e) { throw e; } }"), "logging"),
    ("javascript", "function f() { a(); }", "function f() { try { a(); } catch (e) { console.error(e); throw e; } }",
     "logging"),
    ("typescript", "function f() { a(); }", "function f() { try { a(); } catch (e: unknown) { throw e; } }", "logging"),
    # ... around declarations, when nothing follows the try to see them (Unleash's token refresh)
    ("javascript", "function f() { const x = a(); }", "function f() { try { const x = a(); } catch (e) { throw e; } }",
     "logging"),
    ("java", _java("void f() { int x = a(); b(x); }"), _java("void f() { try { int x = a(); b(x); } catch (E e) { throw e; } }"),
     "logging"),
    ("ruby", "def f\n  a\nend\n", "def f\n  a\nrescue => e\n  raise e\nend\n", "logging"),
    ("ruby", "def f\n  x\n  a\nend\n", "def f\n  x\n  begin\n    a\n  rescue Foo => e\n    logger.warn(e)\n    raise\n  end\nend\n",
     "logging"),
    # annotations the compiler reads and leaves out of the class file (eladmin 4e4ca20808 widened
    # a Quartz Callable's @SuppressWarnings)
    ("java", _java('@Override @SuppressWarnings("all") public Object call() { return a(); }', head="class A implements Callable<Object>"),
     _java('@Override @SuppressWarnings({"unchecked","all"}) public Object call() { return a(); }',
           head="class A implements Callable<Object>"), "compiler"),
    ("java", _java("void f() { a(); }"), _java('@java.lang.Override @java.lang.SuppressWarnings("x") void f() { a(); }'),
     "compiler"),
    ("java", _java("public void f() { a(); }"), _java('@SuppressWarnings("x") public void f() { a(); }'), "compiler"),
    ("kotlin", "class A {\n fun f() { a() }\n}", 'class A {\n @Suppress("UNCHECKED_CAST") fun f() { a() }\n}', "compiler"),
]

DIFFERENT = [
    # a rescue that assigns through a setter or to an instance variable acts before it re-raises
    ("ruby", "def f\n  a\nend\n", "def f\n  a\nrescue => export.failure\n  raise\nend\n"),
    ("ruby", "def f\n  a\nend\n", "def f\n  a\nrescue => @error\n  raise\nend\n"),
    # the value may act, or the type is no logger the file imports
    ("java", _java("private final LogAccessor logger = A.this.make();"), _java("private LogAccessor logger = A.this.make();")),
    ("java", _java("private final Log logger = A.this.logger;"), _java("private Log logger = A.this.logger;")),
    ("java", _java("@Mock private final LogAccessor logger = A.this.logger;"),
     _java("@Mock private LogAccessor logger = A.this.logger;")),
    # no import of that name, or a type of the file shadows it
    ("java", "class A { void f(java.util.Collection<X> c) { a(); } }", "class A { void f(Collection<X> c) { a(); } }"),
    ("java", _java("class Collection {} void f(java.util.Collection<X> c) { a(); }"),
     _java("class Collection {} void f(Collection<X> c) { a(); }")),
    ("java", "import java.util.*;\nclass A { void f(java.util.Collection<X> c) { a(); } }",
     "import java.util.*;\nclass A { void f(Collection<X> c) { a(); } }"),
    # an access modifier: reflection (getFields(), getMethods(), getConstructors()) sees it at run
    # time, so it is never part of a proof (red team of session 7: a static field made public
    # became a queue a worker consumes)
    ("java", _java("A(int x) { a(); }"), _java("private A(int x) { a(); }")),
    ("java", _java("public static void f() { a(); }"), _java("private static void f() { a(); }")),
    ("java", _java("public final void f() { a(); }"), _java("private final void f() { a(); }")),
    ("java", _java("private static final String Q = \"q\";"), _java("public static final String Q = \"q\";")),
    ("java", _java("public A() { a(); }"), _java("private A() { a(); }")),
    ("java", _java("public void f() { a(); }"), _java("private void f() { a(); }")),
    ("java", _java("@Transactional public static void f() { a(); }"), _java("@Transactional private static void f() { a(); }")),
    ("java", _java("public static void f() { a(); }", head="@Service class A"),
     _java("private static void f() { a(); }", head="@Service class A")),
    ("java", _java("class B { public static void f() { a(); } }", head="@Configuration class A"),
     _java("class B { private static void f() { a(); } }", head="@Configuration class A")),
    ("java", _java("public final int getX() { a(); }"), _java("private final int getX() { a(); }")),
    ("java", _java("public static void main(String[] args) { a(); }"), _java("static void main(String[] args) { a(); }")),
    ("java", _java("private void writeObject(ObjectOutputStream s) { a(); }", head="final class A"),
     _java("public void writeObject(ObjectOutputStream s) { a(); }", head="final class A")),
    ("java", _java("public int x = 1;"), _java("private int x = 1;")),
    # a catch that wraps, is not the last, changes what it throws, or leaves a declaration's scope wider
    ("java", _java("void f() { a(); }"), _java('void f() { try { a(); } catch (E e) { log.warn("x", e); throw new X(e); } }')),
    ("java", _java("void f() { try { a(); } catch (F f) { b(); } }"),
     _java("void f() { try { a(); } catch (E e) { throw e; } catch (F f) { b(); } }")),
    ("java", _java("void f() { a(); }"), _java("void f() { try { a(); } catch (E e) { e = wrap(e); throw e; } }")),
    ("java", _java("void f() { int x = a(); use(x); }"),
     _java("void f() { try { int x = a(); } catch (E e) { throw e; } use(x); }")),
    ("java", _java("void f() { a(); }"), _java("void f() { try { a(); } catch (E e) { metrics.count(e); throw e; } }")),
    ("javascript", "function f() { a(); }", "function f() { try { a(); } catch (e) { throw new Error(e); } }"),
    ("javascript", "function f() { const x = a(); use(x); }",
     "function f() { try { const x = a(); } catch (e) { throw e; } use(x); }"),
    ("ruby", "def f\n  a\nend\n", "def f\n  a\nrescue => e\n  raise Other\nend\n"),
    ("ruby", "def f\n  a\nend\n", "def f\n  a\nrescue => e\n  raise\nelse\n  b\nend\n"),
    ("ruby", "def f\n  a\nend\n", "def f\n  a\nrescue => e\n  raise e, 'again'\nend\n"),
    # annotations kept at run time, or a name that may mean another annotation type: imported,
    # declared in the file, or a member type of a supertype (JLS 6.4.1); in Kotlin a star import
    # outranks the default `kotlin.Suppress`
    ("java", _java("void f() { a(); }"), _java("@Deprecated void f() { a(); }")),
    ("java", _java("void f() { a(); }"), _java("@SafeVarargs void f() { a(); }")),
    ("java", _java("void f() { a(); }", IMPORTS + "import my.SuppressWarnings;\n"),
     _java('@SuppressWarnings("x") void f() { a(); }', IMPORTS + "import my.SuppressWarnings;\n")),
    ("java", _java("@interface Override {} void f() { a(); }"), _java("@interface Override {} @Override void f() { a(); }")),
    ("java", _java("void f() { a(); }", head="class A extends Base"), _java("@Override void f() { a(); }", head="class A extends Base")),
    ("kotlin", "import my.*\nclass A {\n fun f() { a() }\n}", 'import my.*\nclass A {\n @Suppress("X") fun f() { a() }\n}'),
    ("kotlin", "import my.Other as Suppress\nclass A {\n fun f() { a() }\n}",
     'import my.Other as Suppress\nclass A {\n @Suppress("X") fun f() { a() }\n}'),
    # Kotlin's bracketed form holds several annotations in one node: @Transactional added beside
    # @Suppress is run-time code
    ("kotlin", 'class A {\n @[Suppress("X")] fun f() { a() }\n}', 'class A {\n @[Suppress("X") Transactional] fun f() { a() }\n}'),
    ("kotlin", 'class A {\n @[Suppress("X") Transactional] fun f() { a() }\n}', 'class A {\n fun f() { a() }\n}'),
]


@pytest.mark.parametrize(("language", "base", "head", "step"), SAME)
def test_the_step_proves_the_pair_the_same(language: str, base: str, head: str, step: str) -> None:
    proof = _proof(language, base, head)
    assert proof is not None and step in proof, proof


@pytest.mark.parametrize(("language", "base", "head"), DIFFERENT)
def test_the_pair_is_not_proven_the_same(language: str, base: str, head: str) -> None:
    assert _proof(language, base, head) is None
