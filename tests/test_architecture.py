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
