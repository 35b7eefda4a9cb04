"""Every problem text exists in Armenian: the catalogs hold a translation of every message the
code raises, with the same placeholders, and no problem is raised with untranslatable text."""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from shared.i18n import TRANSLATED, TextDomain, catalog_path, placeholders

ROOT = Path(__file__).parents[1]
# `shared` and every service: each keeps its messages in <package>/locales (see `make messages`).
PACKAGES = [ROOT / "shared", *sorted(p for p in (ROOT / "services").iterdir() if p.is_dir())]
METHOD_MAP = [("**/tests/**", "ignore"), ("**.py", "python")]


def source_messages(package: Path) -> dict[str, list[str]]:
    """msgid → where it is used, as `pybabel extract -k _` (what `make messages` runs) sees it."""
    found: dict[str, list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        package, METHOD_MAP, keywords={"_": None}
    ):
        if isinstance(message, str):
            found.setdefault(message, []).append(f"{package.relative_to(ROOT)}/{filename}:{lineno}")
    return found


def catalog(package: Path, locale: str) -> Catalog:
    path = catalog_path(package / "locales", package.name, locale)
    assert path.exists(), f"{path.relative_to(ROOT)} is missing: run `make messages`"
    with path.open("rb") as po_file:
        return read_po(po_file)


def localized_packages() -> Iterator[tuple[Path, str]]:
    for package in PACKAGES:
        for locale in TRANSLATED:
            yield package, locale


@pytest.mark.parametrize(
    ("package", "locale"),
    [pytest.param(p, lc, id=f"{p.name}-{lc}") for p, lc in localized_packages()],
)
class TestCatalogs:
    def test_every_message_has_a_translation(self, package: Path, locale: str) -> None:
        messages = source_messages(package)
        if not messages:
            return  # a service that raises nothing translatable yet needs no catalog
        translations = catalog(package, locale)
        untranslated = []
        for msgid, where in messages.items():
            entry = translations.get(msgid)
            if entry is None or not entry.string or entry.fuzzy:
                untranslated.append(f"{where[0]}: {msgid!r}")
        assert not untranslated, (
            f"no {locale} translation (run `make messages`, then translate them in "
            f"{package.name}/locales):\n" + "\n".join(untranslated)
        )

    def test_translations_keep_the_placeholders(self, package: Path, locale: str) -> None:
        if not source_messages(package):
            return
        wrong = [
            f"{entry.id!r} → {entry.string!r}"
            for entry in catalog(package, locale)
            if isinstance(entry.id, str) and entry.id and isinstance(entry.string, str)
            if entry.string and not entry.fuzzy
            if placeholders(entry.string) != placeholders(entry.id)
        ]
        assert not wrong, "translations whose {placeholders} differ from the message's:\n" + (
            "\n".join(wrong)
        )

    def test_no_stale_entries(self, package: Path, locale: str) -> None:
        messages = source_messages(package)
        if not messages:
            return
        stale = [e.id for e in catalog(package, locale) if e.id and e.id not in messages]
        assert not stale, f"entries no code uses any more (run `make messages`): {stale}"


def test_each_catalog_is_the_one_its_package_reads() -> None:
    """A TextDomain reads `<its folder>/locales/hy/LC_MESSAGES/<its name>.po`: a name that
    differs from the package's would leave every text of the package in English."""
    for package in PACKAGES:
        if not source_messages(package):
            continue
        module = "shared.i18n" if package.name == "shared" else f"services.{package.name}.messages"
        domain = importlib.import_module(module)._
        assert isinstance(domain, TextDomain), f"{module} has no `_ = TextDomain(...)`"
        assert (domain.name, domain.directory) == (package.name, package / "locales")
        for locale in TRANSLATED:
            assert domain.translations[locale], f"{module} read no {locale} translations"


# --- problems are raised with messages, never with plain text ------------------------------

# Where the title and detail are among the positional arguments of the functions that build
# a problem (or a part of one) directly; an AppError's detail is its first argument.
PROBLEM_BUILDERS = {
    "problem_response": slice(1, 3),
    "_problem": slice(4, 6),
    "RowError": slice(2, 3),  # a bad row of a CSV import: (line, column, message)
}
TEXT_KEYWORDS = {"detail", "title"}


def _source_files() -> Iterator[Path]:
    for package in PACKAGES:
        for path in sorted(package.rglob("*.py")):
            if "tests" not in path.relative_to(package).parts:
                yield path


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _is_plain_text(node: ast.expr) -> bool:
    """A literal or an f-string: text no catalog can translate."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp):
        return _is_plain_text(node.left) or _is_plain_text(node.right)
    return False


def _error_classes(trees: list[ast.Module]) -> set[str]:
    """AppError and every class that derives from it, in any module."""
    classes = {"AppError"}
    grown = True
    while grown:
        grown = False
        for tree in trees:
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.ClassDef)
                    and node.name not in classes
                    and any(_name(base) in classes for base in node.bases)
                ):
                    classes.add(node.name)
                    grown = True
    return classes


def test_problems_are_raised_with_translatable_messages() -> None:
    files = list(_source_files())
    trees = [ast.parse(path.read_text(), str(path)) for path in files]
    errors = _error_classes(trees)
    plain = []
    for path, tree in zip(files, trees, strict=True):
        where = path.relative_to(ROOT)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _plain_text_in_call(node, errors):
                plain.append(f"{where}:{node.lineno}")
            if isinstance(node, ast.ClassDef) and node.name in errors:
                titles = [s for s in node.body if isinstance(s, ast.Assign | ast.AnnAssign)]
                plain += [f"{where}:{s.lineno}" for s in titles if _is_title_text(s)]
    assert not plain, "problem texts not wrapped in _(...):\n" + "\n".join(plain)


def _plain_text_in_call(call: ast.Call, errors: set[str]) -> bool:
    name = _name(call.func)
    if name is None or name not in errors | set(PROBLEM_BUILDERS):
        return False
    texts = call.args[PROBLEM_BUILDERS.get(name, slice(0, 1))]
    texts += [k.value for k in call.keywords if k.arg in TEXT_KEYWORDS]
    return any(_is_plain_text(text) for text in texts)


def _is_title_text(statement: ast.Assign | ast.AnnAssign) -> bool:
    targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
    value = statement.value
    for target in targets:
        if isinstance(target, ast.Name) and target.id == "title" and value is not None:
            return _is_plain_text(value)
        if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple):
            for element, item in zip(target.elts, value.elts, strict=False):
                if isinstance(element, ast.Name) and element.id == "title":
                    return _is_plain_text(item)
    return False
