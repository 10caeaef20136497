import pytest

from sim.core import seeds
from sim.core.errors import InputError

# every figure of DESIGN.md's seed table
DESIGN_TABLE = {
    "xinzhou_pv_revenue_2024": 591e6,
    "xinzhou_pv_to_villages_2024": 466e6,
    "xinzhou_pv_to_households_2024": 249e6,
    "xinzhou_new_monitored_households_2024": 3741,
    "xinzhou_new_monitored_persons_2024": 9047,
    "xinzhou_employment_assistance_bases_2024": 1,
    "xinzhou_employment_assistance_parks_2024": 14,
    "xinzhou_employment_assistance_workshops_2024": 210,
    "xinzhou_lifted_out_labourers_employed_2024": 181_100,
    "xinzhou_village_party_secretaries_2024": 2672,
    "xinzhou_model_villages_2024": 42,
    "xinzhou_upgraded_villages_2024": 291,
    "xinzhou_model_villages_plan_2025": 40,
    "xinzhou_upgraded_villages_plan_2025": 360,
    "xinzhou_county_mediation_centres": 15,
    "xinzhou_civilization_practice_centres": 14,
    "shanxi_demonstration_counties_2021": 31,
    "shanxi_steady_counties_2021": 40,
    "shanxi_key_assistance_counties_2021": 46,
    "shanxi_counties_total_2021": 117,
    "shanxi_poor_area_income_share_of_province_2020": 0.745,
    "shanxi_poor_area_income_share_of_nation_2020": 0.604,
    "shanxi_transition_period_years": 5,
    "shanxi_lifted_out_in_work_2021": 931_800,
    "shanxi_lifted_out_in_work_growth_2021": 1.0148,
    "xinzhou_registered_poor_at_registration": 467_400,
    "xinzhou_registered_poor_2018": 53_700,
    "xinzhou_poverty_incidence_at_registration": 0.1981,
    "xinzhou_poverty_incidence_2018": 0.0228,
    "xinzhou_villages_relocated_2019": 797,
    "xinzhou_village_registrations_cancelled_2019": 533,
    "xinzhou_medical_insurance_participation_2019": 0.9898,
    "shanxi_poor_lifted_out_2014_2020": 3_290_000,
    "shanxi_poor_villages_2014_2020": 7993,
    "shanxi_poor_counties_2014_2020": 58,
    "shanxi_relocated_persons": 472_000,
    "shanxi_relocated_natural_villages": 3365,
    "shanxi_lifted_out_labour_employed_2022": 918_000,
    "rucheng_villages_2021": 217,
    "rucheng_villages_collective_income_over_50k_2021": 131,
}


def test_every_design_figure_is_in_the_statistics_file():
    stats = seeds.statistics()
    for stat_id, value in DESIGN_TABLE.items():
        assert stats[stat_id].value == pytest.approx(value), stat_id


def test_class_counts_add_up():
    v = seeds.value
    total = v("shanxi_demonstration_counties_2021") + v("shanxi_steady_counties_2021") + v(
        "shanxi_key_assistance_counties_2021")
    assert total == v("shanxi_counties_total_2021")


GOOD = """
[[statistic]]
id = "x_one"
value = 1
unit = "persons"
year = 2024
place = "Xinzhou"
seed = "000_319fdd0acca0fa0b.txt"
context = "A figure for testing the loader."
"""


def test_a_good_entry_loads():
    assert seeds.parse_statistics(GOOD)["x_one"].value == 1


@pytest.mark.parametrize(
    "change, message",
    [
        (("value = 1", 'value = "many"'), "key 'value'"),
        (('seed = "000_319fdd0acca0fa0b.txt"', 'seed = "999.txt"'), "unknown seed document"),
        (("year = 2024", "year = 1850"), "key 'year'"),
        (('unit = "persons"\n', ""), "key 'unit'"),
        (('id = "x_one"', 'id = "Bad Id"'), "key 'id'"),
        (("year = 2024", "year = 2024\ncolour = 1"), "key 'colour'"),
        (("[[statistic]]", "[[statistic]"), "not valid TOML"),
    ],
)
def test_malformed_entries_are_clear_errors(change, message):
    with pytest.raises(InputError, match=message) as err:
        seeds.parse_statistics(GOOD.replace(*change), "stats.toml")
    assert "stats.toml" in str(err.value)


def test_duplicate_ids_are_rejected():
    with pytest.raises(InputError, match="defined twice"):
        seeds.parse_statistics(GOOD + GOOD)
