"""The PNG of ``kong-ai usage report --format png``: spend per tenant, stacked by model, and each tenant's
budget left, for people who would rather look than read. Needs matplotlib (the ``report`` extra)."""

from __future__ import annotations

from kong_plugins.cli.usage_report import Forecast, UsageRow

MAX_TENANTS = 20
MAX_MODELS = 8


def render_png(path: str, rows: list[UsageRow], budgets: list[Forecast], title: str) -> None:
    try:
        import matplotlib
    except ImportError as exc:
        raise RuntimeError("--format png needs matplotlib: pip install 'kong-ai-guard[report]'") from exc
    matplotlib.use("Agg")  # no display: a file only
    from matplotlib import pyplot as plt

    spend: dict[str, float] = {}
    for row in rows:
        spend[row.tenant] = spend.get(row.tenant, 0.0) + row.cost_usd
    tenants = sorted(spend, key=lambda t: -spend[t])[:MAX_TENANTS]
    model_totals: dict[str, float] = {}
    for row in rows:
        model_totals[row.model] = model_totals.get(row.model, 0.0) + row.cost_usd
    models = sorted(model_totals, key=lambda m: -model_totals[m])[:MAX_MODELS]

    figure, (left, right) = plt.subplots(1, 2, figsize=(12, 5), width_ratios=(3, 2))
    bottoms = [0.0] * len(tenants)
    for model in models:
        values = [
            sum(r.cost_usd for r in rows if r.tenant == tenant and r.model == model) for tenant in tenants
        ]
        left.bar(tenants, values, bottom=bottoms, label=model)
        bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
    others = [spend[tenant] - bottom for tenant, bottom in zip(tenants, bottoms, strict=True)]
    if any(value > 1e-12 for value in others):
        left.bar(tenants, others, bottom=bottoms, label="other models", color="lightgrey")
    left.set_title("Spend (USD) by tenant and model")
    left.set_ylabel("USD")
    if models:
        left.legend(fontsize="small")
    left.tick_params(axis="x", labelrotation=30)

    shown = budgets[:MAX_TENANTS]
    names = [f"{b.tenant} ({b.window})" for b in shown]
    used = [max(0.0, b.limit_usd - b.remaining_usd) for b in shown]
    right.barh(names, used, color="tab:red", label="used")
    right.barh(names, [b.remaining_usd for b in shown], left=used, color="tab:green", label="left")
    for index, budget in enumerate(shown):
        right.text(budget.limit_usd, index, " " + budget.describe(), va="center", fontsize="small")
    if shown:
        right.set_xlim(0, max(b.limit_usd for b in shown) * 1.8)  # room for the forecast text
    right.set_title("Budgets: used and left (runs out at the current pace)")
    right.set_xlabel("USD")
    if shown:
        right.legend(fontsize="small", loc="lower right")
    else:
        right.text(0.5, 0.5, "no cost_usd budgets", ha="center", va="center", transform=right.transAxes)
    figure.suptitle(title)
    figure.tight_layout()
    figure.savefig(path, format="png", dpi=100)
    plt.close(figure)
