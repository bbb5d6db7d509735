"""The import ranking of ../shared/STYLE.md ("the shape of the house"), held by a test.

Apps are ranked accounts <- campaigns <- ideas <- votes <- moderation <- jury
<- results <- privacy: a file imports only from its own rank or below. The
one named exception: campaigns/lifecycle.py, the single place that says
"leaving voting tallies, leaving deliberation publishes", may call votes,
jury and results. No import cycle between files.

Every first-party .py file is parsed with `ast` (nothing is imported), and
every import counts, module-level or inside a function: a lazy import is
still a dependency, it only hides it from the reader.
"""

import ast
from collections import defaultdict
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

RANKED_APPS = ["accounts", "campaigns", "ideas", "votes", "moderation", "jury", "results", "privacy"]
# The project package's core modules (exceptions, outbox, http, cache,
# parsers, markdown, text, models, api, celery, ...) sit below every app:
# they import no app. The modules that wire the apps together sit on top.
BOTTOM = 0
TOP = len(RANKED_APPS) + 1
RANK = {app: rank for rank, app in enumerate(RANKED_APPS, start=1)}
IDEABOX_ON_TOP = {
    "ideabox.urls": "includes every app's URLs",
    "ideabox.views": "the home page shows campaigns and ideas",
    "ideabox.demo": "makes the demo data through every app's services",
    "ideabox.management": "commands such as seed_demo run ideabox.demo",
    "ideabox.settings": "names every app (INSTALLED_APPS, by string)",
    "ideabox.wsgi": "the entry point that loads the whole site",
}
# Not part of the site: tools and tests may import anything, nothing imports them.
OUTSIDE_ON_TOP = ["tests", "bench", "scripts"]
# ideabox.celery stays at the bottom although its beat schedule names every
# app's tasks: ideabox/__init__.py loads it, and it names them by string.

EXCEPTIONS = {
    # Not in STYLE.md's list (votes, jury, results), but the same kind of call:
    # what happens when a campaign leaves a phase.
    ("campaigns/lifecycle.py", "ideas"): "leaving a phase lapses co-authorship invitations",
    ("campaigns/lifecycle.py", "votes"): "leaving voting tallies",
    ("campaigns/lifecycle.py", "jury"): "leaving deliberation publishes",
    ("campaigns/lifecycle.py", "results"): "leaving deliberation publishes",
}

# Imports that break the ranking today, each removed by an item of issue 11.
# The list only shrinks: a test fails when an entry is no longer needed.
KNOWN_VIOLATIONS: dict[tuple[str, str], str] = {}
# Imports that close a cycle between files today (every import of the cycle
# is listed), each removed by an item of issue 11; the list only shrinks too.
KNOWN_CYCLES: dict[tuple[str, str], str] = {}


def first_party_files() -> dict[str, Path]:
    """Dotted module name -> file, for the apps, the project package and the tools."""
    modules = {}
    for top in ["ideabox", *RANKED_APPS, *OUTSIDE_ON_TOP]:
        for path in sorted((ROOT / top).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


MODULES = first_party_files()


def rank(module: str) -> int:
    top = module.split(".")[0]
    if top in OUTSIDE_ON_TOP:
        return TOP
    if top == "ideabox":
        on_top = any(module == name or module.startswith(name + ".") for name in IDEABOX_ON_TOP)
        return TOP if on_top else BOTTOM
    return RANK[top]


def shown(module: str) -> str:
    """The file of a module, relative to the repository, as the lists name it."""
    return MODULES[module].relative_to(ROOT).as_posix()


def resolve(name: str) -> str | None:
    """The first-party module a dotted name lands in (the longest known prefix)."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in MODULES:
            return candidate
        parts.pop()
    return None


@cache
def imports_of(module: str) -> frozenset[str]:
    """The first-party modules a file imports, anywhere in it."""
    path = MODULES[module]
    return imports_in(path.read_text(encoding="utf-8"), module=module, is_package=path.name == "__init__.py")


def imports_in(source: str, *, module: str, is_package: bool) -> frozenset[str]:
    package = module if is_package else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # `from jury import awards` imports the module jury.awards.
            names = [f"{base}.{alias.name}" for alias in node.names if alias.name != "*"] or [base]
            names = [name if name in MODULES else base for name in names]
        else:
            continue
        for name in names:
            target = resolve(name)
            if target is not None and target != module:
                found.add(target)
    return frozenset(found)


def rank_violations() -> dict[tuple[str, str], str]:
    violations = {}
    for module in MODULES:
        for target in imports_of(module):
            if rank(target) <= rank(module):
                continue
            if (shown(module), target.split(".")[0]) in EXCEPTIONS:
                continue
            violations[(shown(module), shown(target))] = f"rank {rank(module)} imports rank {rank(target)}"
    return violations


def cycle_edges() -> set[tuple[str, str]]:
    graph = {module: sorted(imports_of(module)) for module in MODULES}
    return {(shown(module), shown(target)) for module, target in edges_in_cycles(graph)}


def edges_in_cycles(graph: dict[str, list[str]]) -> set[tuple[str, str]]:
    """Every edge a -> b where b leads back to a (Tarjan's strongly connected components)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    component: dict[str, int] = {}
    counter = 0

    def visit(start: str) -> None:
        nonlocal counter
        # Iterative, so that a deep import chain cannot reach the recursion limit.
        work = [(start, iter(graph[start]))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph[child])))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component[member] = index[node]
                        if member == node:
                            break

    for module in graph:
        if module not in index:
            visit(module)
    sizes = defaultdict(int)
    for module in graph:
        sizes[component[module]] += 1
    return {
        (module, target)
        for module in graph
        for target in graph[module]
        if component[module] == component[target] and sizes[component[module]] > 1
    }


def test_no_file_imports_from_an_app_ranked_above_it():
    new = {pair: why for pair, why in rank_violations().items() if pair not in KNOWN_VIOLATIONS}
    assert not new, "imports from an app ranked above (STYLE.md, the shape of the house):\n" + "\n".join(
        f"  {importer} -> {imported} ({why})" for (importer, imported), why in sorted(new.items())
    )


def test_the_known_rank_violations_are_all_still_there():
    gone = sorted(set(KNOWN_VIOLATIONS) - set(rank_violations()))
    assert not gone, "no longer imported: remove from KNOWN_VIOLATIONS:\n" + "\n".join(
        f"  {importer} -> {imported}" for importer, imported in gone
    )


def test_no_import_cycle_between_files():
    new = sorted(cycle_edges() - set(KNOWN_CYCLES))
    assert not new, "imports that close a cycle between files:\n" + "\n".join(
        f"  {importer} -> {imported}" for importer, imported in new
    )


def test_the_known_cycles_are_all_still_there():
    gone = sorted(set(KNOWN_CYCLES) - cycle_edges())
    assert not gone, "no longer part of a cycle: remove from KNOWN_CYCLES:\n" + "\n".join(
        f"  {importer} -> {imported}" for importer, imported in gone
    )


def test_the_check_sees_imports_of_every_kind():
    # The tests above are only as good as the parser: a lazy import, a
    # relative one and `from package import module` must all be seen.
    source = (
        "from . import models\n"
        "from .exceptions import DomainError\n"
        "from accounts import roles\n"
        "import campaigns.models\n"
        "from django.db import transaction\n"
        "def later():\n"
        "    from ideabox.outbox import queue\n"
    )
    found = imports_in(source, module="ideabox.api", is_package=False)
    assert found == {"ideabox.models", "ideabox.exceptions", "accounts.roles", "campaigns.models", "ideabox.outbox"}
    assert imports_in("from .celery import app", module="ideabox", is_package=True) == {"ideabox.celery"}


def test_the_ranks_follow_style_md():
    assert rank("ideabox.exceptions") < rank("accounts.models") < rank("campaigns.lifecycle") < rank("ideas.models")
    assert rank("ideas.models") < rank("votes.models") < rank("jury.models") < rank("ideabox.urls")
    assert rank("ideabox.management.commands.seed_demo") == rank("tests.conftest") == TOP


def test_the_cycle_check_finds_a_cycle_through_a_lazy_import():
    graph = {"a.services": ["a.models", "a.tasks"], "a.tasks": ["a.services"], "a.models": [], "b": ["a.models"]}
    assert edges_in_cycles(graph) == {("a.services", "a.tasks"), ("a.tasks", "a.services")}
