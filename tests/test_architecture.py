"""The layers stay apart: the domain imports neither Telegram nor Stripe."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN_IN_CORE = {"telegram", "stripe", "bot", "payments", "sandbox", "aiogram"}


def imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize(
    "path", sorted((ROOT / "core").rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT))
)
def test_core_imports_nothing_of_telegram_stripe_or_the_outer_layers(path):
    assert imported_roots(path).isdisjoint(FORBIDDEN_IN_CORE)


# Repositories the bot must reach only through a core service: what moves money, or records
# that it moved, is decided in one place.
MONEY_REPOSITORIES = {"payments", "ledger"}


def money_repository_uses(path: Path) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{node.lineno} uow.{node.attr}"
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path)))
        if isinstance(node, ast.Attribute)
        and node.attr in MONEY_REPOSITORIES
        and isinstance(node.value, ast.Name)
        and node.value.id == "uow"
    ]


def test_the_bot_reaches_payments_and_the_ledger_only_through_core_services():
    uses = [
        use for path in sorted((ROOT / "bot").rglob("*.py")) for use in money_repository_uses(path)
    ]
    assert uses == []


# The ports are the domain's: declared in one place, implemented in the outer layers.
PORT_MODULES = {Path("core/ports.py"), Path("core/clock.py")}


def test_every_port_is_declared_in_the_domain():
    declared_elsewhere = [
        f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"
        for layer in ("core", "bot", "payments", "sandbox")
        for path in sorted((ROOT / layer).rglob("*.py"))
        if path.relative_to(ROOT) not in PORT_MODULES
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path)))
        if isinstance(node, ast.ClassDef)
        and any(ast.unparse(base).endswith("Protocol") for base in node.bases)
    ]
    assert declared_elsewhere == []


def test_money_is_never_a_float_in_models_services_or_gateways():
    float_money = []
    for path in [*(ROOT / "core").rglob("*.py"), *(ROOT / "payments").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.AnnAssign | ast.arg) and (
                annotation := getattr(node, "annotation", None)
            ):
                name = getattr(node, "arg", None) or ast.unparse(node.target)
                is_money = any(word in name for word in ("price", "amount", "minor", "commission"))
                if is_money and "float" in ast.unparse(annotation):
                    float_money.append(f"{path.name}:{node.lineno} {name}")
    assert float_money == []


def _python_files(*layers: str) -> list[Path]:
    return sorted(path for layer in layers for path in (ROOT / layer).rglob("*.py"))


# Building SQL: a service that needs a query asks a repository or a read model for it.
SQL_BUILDERS = {"select", "bindparam", "and_", "or_", "func", "exists", "text"}


def test_the_search_service_leaves_its_sql_to_the_read_model():
    path = ROOT / "core/services/search.py"
    built = [
        f"{alias.name} (line {node.lineno})"
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path)))
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy")
        for alias in node.names
        if alias.name in SQL_BUILDERS
    ]
    assert built == []


# What the store says when it refuses a write (an integrity error, an SQLSTATE, a constraint's
# name) is translated into domain terms by the repositories and the unit of work, in core/db.
STORE_REFUSALS = {"IntegrityError", "sqlstate", "pgcode", "orig"}


def _names(path: Path) -> list[tuple[int, str]]:
    """Every name, attribute and string constant in the module, with its line."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Name):
            found.append((node.lineno, node.id))
        elif isinstance(node, ast.Attribute):
            found.append((node.lineno, node.attr))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.append((node.lineno, node.value))
    return found


def test_only_the_database_layer_reads_the_stores_refusals():
    services = [
        f"{path.relative_to(ROOT)}:{line} {name}"
        for path in _python_files("core", "payments")
        if not path.is_relative_to(ROOT / "core/db")
        for line, name in _names(path)
        if name in STORE_REFUSALS or name.startswith("ex_booking")
    ]
    # The command line may still show a driver's message when the store cannot be reached.
    outer = [
        f"{path.relative_to(ROOT)}:{line} {name}"
        for path in _python_files("bot", "sandbox")
        for line, name in _names(path)
        if name == "IntegrityError"
    ]
    assert services + outer == []


def test_the_price_of_a_window_is_reckoned_only_in_the_pricing_module():
    calls = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in _python_files("core", "bot", "payments", "sandbox")
        if path != ROOT / "core/pricing.py"
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path)))
        if isinstance(node, ast.Call) and ast.unparse(node.func).endswith("price_for_window")
    ]
    assert calls == []


def test_window_arithmetic_is_defined_only_in_the_domain():
    # The quick windows ("tonight", "tomorrow", "now for N hours") are one rule, in core/window.
    defined = [
        f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"
        for path in _python_files("core", "bot", "payments", "sandbox")
        if path != ROOT / "core/window.py"
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path)))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name in {"window_for", "default_window", "next_step"}
    ]
    assert defined == []


# Amounts are read from the models as Money (composites over their minor units and currency);
# only core/money.py turns raw minor units read from a column or a draft into Money.
MONEY_MODULE = Path("core/money.py")


def _reads_minor_units(node: ast.AST) -> bool:
    return any(
        (isinstance(part, ast.Attribute) and part.attr.endswith("_minor"))
        or (isinstance(part, ast.Name) and part.id.endswith("_minor"))
        for part in ast.walk(node)
    )


def test_money_is_built_from_minor_units_only_in_core_money():
    built = [
        f"{path.relative_to(ROOT)}:{node.lineno} {ast.unparse(node)}"
        for layer in ("core", "payments", "bot", "sandbox", "bench")
        for path in sorted((ROOT / layer).rglob("*.py"))
        if path.relative_to(ROOT) != MONEY_MODULE
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path)))
        if isinstance(node, ast.Call)
        and ast.unparse(node.func).split(".")[-1] == "Money"
        and any(
            _reads_minor_units(argument)
            for argument in [*node.args, *(keyword.value for keyword in node.keywords)]
        )
    ]
    assert built == []


FEATURE_PACKAGES = ("bot.handlers", "bot.conversations")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> list[tuple[int, str, str | None]]:
    """(line, module, name) for every import; ``from bot.handlers import search`` yields both
    the package and ``bot.handlers.search``; relative imports are resolved."""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found: list[tuple[int, str, str | None]] = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            for alias in node.names:
                found.append((node.lineno, module, alias.name))
                found.append((node.lineno, f"{module}.{alias.name}", None))
    return found


def is_feature_module(module: str) -> bool:
    return any(
        module == package or module.startswith(package + ".") for package in FEATURE_PACKAGES
    )


def feature_imports(path: Path) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{line} {module}" + (f" ({name})" if name else "")
        for line, module, name in imported_modules(path)
        if is_feature_module(module) and module_name(path) != module
    ]


FEATURE_MODULES = sorted(
    path
    for package in ("handlers", "conversations")
    for path in (ROOT / "bot" / package).rglob("*.py")
)


def test_no_handler_or_conversation_module_imports_another():
    """Feature modules share only what lives outside bot/handlers and bot/conversations, so
    each can be read, changed and registered on its own."""
    crossing = [crossing for path in FEATURE_MODULES for crossing in feature_imports(path)]
    assert crossing == []


def test_only_the_application_imports_handlers_and_conversations():
    """Shared modules (jobs, web, the notices, the cards) never reach into a feature: bot/app.py
    is the one table of contents that registers them."""
    shared = [
        path
        for path in sorted((ROOT / "bot").rglob("*.py"))
        if path.parent == ROOT / "bot" and path.name != "app.py"
    ]
    assert [use for path in shared for use in feature_imports(path)] == []


def test_the_bot_never_imports_the_repositories():
    """The bot reaches stored data through core services and the unit of work's types."""
    uses = [
        f"{path.relative_to(ROOT)}:{line} {module}"
        for path in sorted((ROOT / "bot").rglob("*.py"))
        for line, module, _name in imported_modules(path)
        if module == "core.db.repositories" or module.startswith("core.db.repositories.")
    ]
    assert uses == []


def calls_of(path: Path, name: str) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path)))
        if isinstance(node, ast.Call)
        and (
            (isinstance(node.func, ast.Name) and node.func.id == name)
            or (isinstance(node.func, ast.Attribute) and node.func.attr == name)
        )
    ]


def test_pressed_buttons_are_unpacked_only_by_the_one_decorator():
    """Every button handler is registered through ``bot.buttons.on_button``, which unpacks and
    validates the data and answers a forged press; no handler unpacks callback data itself."""
    unpacking = [
        call
        for path in sorted((ROOT / "bot").rglob("*.py"))
        if path.relative_to(ROOT) != Path("bot/buttons.py")
        for call in calls_of(path, "unpack_pressed")
    ] + [
        call
        for path in sorted((ROOT / "bot").rglob("*.py"))
        if path.relative_to(ROOT) != Path("bot/keyboards.py")
        for call in calls_of(path, "unpack")
    ]
    assert unpacking == []


# A booking's and a spot's lifecycle is checked on the entity (Booking.move_to, Spot.move_to):
# nothing else writes their status, so no path skips the transition rules. The other rows'
# statuses (payments, transfers, disputes) are set by name in their services.
OTHER_STATUSES = {"PaymentStatus", "TransferStatus", "DisputeStatus"}


def _sets_another_rows_status(value: ast.expr) -> bool:
    return (
        isinstance(value, ast.Attribute)
        and isinstance(value.value, ast.Name)
        and value.value.id in OTHER_STATUSES
    )


def test_bookings_and_spots_change_status_only_through_their_entity():
    written = [
        f"{path.relative_to(ROOT)}:{node.lineno} {ast.unparse(node)}"
        for path in _python_files("core", "bot", "payments", "sandbox", "bench")
        if path != ROOT / "core/db/models.py"
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path)))
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Attribute) and t.attr == "status" for t in node.targets)
        and not _sets_another_rows_status(node.value)
    ]
    assert written == []
