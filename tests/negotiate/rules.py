"""The small scenario with the publics' rules changed, fitted into a deal problem."""

from winset import load_scenario
from winset.compile import deal_problem
from winset.engine.problem import DealProblem
from winset.support import fit_scenario

from ..small_scenario import small_scenario


def problem_with_rules(folder, russian: float, japanese: float = 0.5, draws: int = 8) -> DealProblem:
    """The small scenario where the Russian and Japanese publics need these shares of support."""
    path = small_scenario(
        folder,
        scenario_edit=lambda text: text.replace(
            'rule = { threshold = 0.5, population = "adults" }',
            f'rule = {{ threshold = {russian}, population = "adults" }}',
        ).replace("rule = { threshold = 0.5 }", f"rule = {{ threshold = {japanese} }}"),
    )
    scenario = load_scenario(path)
    fits = fit_scenario(scenario, draws, 0)
    return deal_problem(scenario, fits)
