"""Command-line pieces of issue 17: `--by county` and `--lang` for run and compare, and `ruralsim region`."""

from .i18n import LANGS


def add_place_options(parser) -> None:
    parser.add_argument("--by", choices=["class", "county"], help="results by county class (default) or also by "
                        "county: rows with group = the county's code, and maps by county (maps_by_county.png)")
    parser.add_argument("--lang", choices=list(LANGS), default="en", help="language of the terminal table and the "
                        "figures: en (default) or zh (Chinese, with the packaged CJK font)")


def add_region_parser(sub) -> None:
    region = sub.add_parser("region", help="print a region's counties with their figures and sources")
    region.add_argument("name", nargs="?", default="xinzhou", help="region: xinzhou (default), shanxi or rucheng")
    region.add_argument("--lang", choices=list(LANGS), default="en", help="en (default) or zh")


def cmd_region(args) -> int:
    from ..core.regions import get_region
    from .region_table import format_region_table

    get_region(args.name)  # an unknown name: one line, exit 2
    print(format_region_table(args.name, args.lang))
    return 0
