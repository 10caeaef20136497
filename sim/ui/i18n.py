"""The one catalogue of planner-facing words in English and Chinese, keyed by the declarations' names.

Indicators and parameters are declared in English beside their code (`Indicator`, `param`); their
Chinese labels live here, keyed by the same names, so a new indicator without a Chinese label fails
tests/test_places.py instead of showing English in a Chinese table. Chinese terms are those of the
policy documents (监测对象, 防止返贫动态监测, 过渡期, 光伏收益, 就业帮扶车间, 公益岗位, 低保, 特困供养 ...).
English stays the default everywhere (`lang="en"`).
"""

LANGS = ("en", "zh")

INDICATORS_ZH = {
    "labourers": "劳动力", "persons_aged_0_15": "0至15岁人口", "persons_aged_16_59": "16至59岁人口",
    "persons_aged_60_plus": "60岁及以上人口", "unable_adults": "无劳动能力成年人", "births": "出生人口",
    "deaths": "死亡人口", "out_migrants": "迁出人口",
    "relocated_households": "易地扶贫搬迁户", "resettlement_jobs": "安置点就业岗位",
    "cost_relocation_yuan": "易地搬迁后续扶持财政支出",
    "training_places": "技能培训名额", "trained_labourers": "参训劳动力", "cost_training_yuan": "技能培训财政支出",
    "workshop_jobs": "就业帮扶车间岗位", "workshops_open": "在营就业帮扶车间（基地、园区）",
    "cost_workshops_yuan": "就业帮扶车间财政支出",
    "pv_revenue_yuan": "光伏电站发电收益", "pv_county_retention_yuan": "县级留存光伏收益",
    "pv_to_villages_yuan": "拨付到村光伏收益", "pv_to_households_yuan": "光伏收益到户（公益岗位、公益事业、分红）",
    "pv_to_collectives_yuan": "留存村集体的光伏收益", "public_welfare_posts": "光伏公益岗位",
    "cost_pv_yuan": "光伏扶贫财政支出",
    "model_villages": "示范村", "upgraded_villages": "提档升级村", "cost_model_villages_yuan": "示范村建设财政支出",
    "pension_recipients_persons": "基础养老金领取人数", "cost_pension_yuan": "基础养老金财政支出",
    "tekun_recipient_households": "特困供养户数", "tekun_recipient_persons": "特困供养人数",
    "tekun_recipient_lifted_out_persons": "特困供养中的脱贫人口", "cost_tekun_yuan": "特困供养财政支出",
    "dibao_recipient_households": "低保户数", "dibao_recipient_persons": "低保对象人数",
    "dibao_recipient_lifted_out_persons": "纳入低保的脱贫人口", "cost_dibao_yuan": "低保财政支出",
    "medically_insured_persons": "参加医疗保险人数", "insurance_indemnity_yuan": "保险赔付",
    "cost_insurance_yuan": "保险补贴财政支出",
    "monitored_households": "监测对象户数", "monitored_persons": "监测对象人数",
    "newly_identified_households": "新识别监测对象户数", "newly_identified_persons": "新识别监测对象人数",
    "risk_eliminated_households": "风险消除户数", "permanent_support_households": "兜底保障户数",
    "permanent_support_persons": "兜底保障人数", "cost_monitoring_yuan": "防止返贫动态监测帮扶财政支出",
    "persons": "农村人口", "households": "农村户数",
    "persons_below_poverty_line": "贫困线以下人口", "persons_below_monitoring_line": "监测线以下人口",
    "persons_below_monitoring_line_12_months": "连续12个月在监测线以下的人口",
    "persons_below_monitoring_line_12_months_unreached": "其中未纳入监测和救助的人口",
    "persons_below_poverty_line_verified": "贫困线以下人口（核实收入口径）",
    "persons_below_monitoring_line_verified": "监测线以下人口（核实收入口径）",
    "persons_below_monitoring_line_verified_12_months": "连续12个月在监测线以下的人口（核实收入口径）",
    "persons_below_monitoring_line_verified_12_months_unreached": "其中未纳入监测和救助的人口（核实收入口径）",
    "lifted_out_persons_below_poverty_line": "贫困线以下的脱贫人口",
    "lifted_out_households_below_poverty_line": "贫困线以下的脱贫户",
    "returns_to_poverty_households": "返贫户数",
    "income_per_capita_mean_yuan": "农村居民人均可支配收入", "income_per_capita_median_yuan": "人均可支配收入中位数",
    "income_per_capita_mean_lifted_out_yuan": "脱贫人口人均可支配收入",
    "poverty_county_income_ratio": "脱贫县与全域人均收入之比",
    "labourers_employed": "务工就业劳动力", "lifted_out_labourers_employed": "脱贫劳动力务工就业人数",
    "migrant_workers": "外出务工劳动力", "gini": "基尼系数",
    "villages_collective_income_over_50k_share": "村集体经济收入超过5万元的村占比",
    "lifted_out_households": "脱贫户数", "lifted_out_persons": "脱贫人口",
    "cost_total_yuan": "各项政策财政支出合计",  # the dashboard's sum of the cost_ indicators
}

# income_<category>_per_capita[_lifted_out]_yuan (sim/dynamics/income_sources.py) are composed from these
INCOME_SOURCES_ZH = {
    "farm_business": "家庭经营和土地流转收入", "wages_migrant": "外出务工工资", "wages_local": "本地务工工资",
    "wages_workshop": "就业帮扶车间工资", "wages_resettlement": "安置点就业工资",
    "pv_wages": "光伏公益岗位和公益事业工资", "pv_dividends": "光伏收益分红",
    "social_assistance": "低保金和特困供养金", "pension": "基础养老金", "family_support": "子女赡养",
    "other_transfers": "其他转移性收入",
}

UNITS_ZH = {
    "households": "户", "index": "指数", "jobs": "个岗位", "persons": "人", "places": "个名额", "posts": "个岗位",
    "ratio": "比值", "share of villages": "村占比", "sites": "个", "villages": "个村", "yuan": "元",
    "yuan per person": "元/人", "yuan per person per year": "元/人·年", "share": "比例", "million yuan": "百万元",
}

# titles of the dashboard panels that draw several indicators (one-indicator panels take its label)
PANEL_TITLES_ZH = {("pv_to_households_yuan", "pv_to_collectives_yuan"): "光伏收益：到户和留存村集体"}

# scenario sections (parameters are shown as "<section>: <parameter>")
SECTIONS_ZH = {
    "run": "运行设置", "population": "人口", "lines": "贫困线和监测线", "transition": "过渡期",
    "county_classes": "县域分类", "demography": "人口变动", "shocks": "风险冲击", "relocation": "易地扶贫搬迁后续扶持",
    "training": "技能培训和劳务品牌", "labour": "劳动力市场", "workshops": "就业帮扶车间", "pv": "光伏收益分配",
    "model_villages": "示范村和提档升级村", "income": "收入", "pension": "基础养老金", "verification": "收入核实",
    "tekun": "特困供养", "dibao": "低保", "insurance": "保险", "monitoring": "防止返贫动态监测", "budget": "预算",
    "expect": "预期",
}

# words of tables, figures and the dashboard: key -> (English, Chinese)
TERMS = {
    # groups
    "all": ("all", "全域"), "demonstration": ("demonstration", "示范引领县"), "steady": ("steady", "稳步推进县"),
    "key": ("key", "重点帮扶县"),
    # the county table
    "code": ("code", "区划代码"), "county": ("county", "县（市、区）"), "pinyin": ("pinyin", "拼音"),
    "class_2021": ("2021 class", "2021年分类"), "poverty_county": ("poverty county", "贫困县类别"),
    "national": ("national", "国定贫困县"), "provincial": ("provincial", "省定贫困县"), "none": ("no", "非贫困县"),
    "exit_year": ("exit year", "脱贫摘帽年份"), "rural_persons": ("rural people", "农村人口"),
    "households_model": ("households", "户数"), "villages": ("villages", "行政村"),
    "registered_poor": ("registered poor", "建档立卡贫困人口"), "residents_2016": ("residents 2016", "2016年常住人口"),
    "urbanisation_2016": ("urbanisation 2016", "2016年城镇化率"), "source": ("source", "来源"), "total": ("total", "合计"),
    "seed_total": ("seed figure", "种子数据"),
    # figures
    "difference": ("scenario − base", "情景 − 基准"), "by_county": ("by county", "分县"), "year": ("year", "年份"),
    "horizon": ("over the horizon", "模拟期内"), "per_year": ("per year", "每年"), "per_month": ("per month", "每月"),
    "no_data": ("no data", "无数据"), "mean_of_replicates": ("mean of replicates", "各次模拟平均"),
    "county_map": ("Map by county", "分县地图"),
    # figure texts (English exactly as the figures always said)
    "one_replicate": ("one replicate", "单次模拟"), "replicate_bands": ("median of {n} replicates, 50% and 90% bands",
                                                                     "{n}次模拟的中位数，50%和90%区间"),
    "key_indicators": ("Key indicators", "主要指标"), "by_county_class": ("by county class", "分县域类别"),
    "all_rural_people": ("all rural people", "全体农村人口"),
    "lifted_out_people": ("people in lifted-out households", "脱贫户人口"),
    "income_by_source": ("per-capita income by source (mean over replicates)", "分来源人均收入（各次模拟平均）"),
    "pv_distribution": ("PV revenue and its distribution (revenue = kept by counties + to villages; "
                        "to villages = to households + collectives)",
                        "光伏收益及其分配（发电收益 = 县级留存 + 拨付到村；拨付到村 = 到户 + 留存村集体）"),
    "posts_held": ("Public-welfare posts held (paid from the households' share)", "光伏公益岗位（从到户收益中支付）"),
    "million_yuan_per_year": ("million yuan per year", "百万元/年"), "posts_december": ("posts (December)", "个岗位（12月）"),
    "pv_flows": ("PV revenue flows", "光伏收益流向"),
    "median_90": ("(median over replicates; bars: 90% range)", "（各次模拟中位数；误差线：90%区间）"),
    "baseline": ("baseline", "基准"), "this_run": ("this run", "本次运行"),
    "cumulative_since_2021": ("cumulative since Jan 2021", "2021年1月以来累计"),
    "indicator": ("indicator", "指标"), "lever": ("lever", "政策"), "difference_col": ("difference", "差值"),
    "scenario_parameters": ("scenario parameter(s)", "情景参数"),
    "colon": (": ", "："), "comma": (", ", "，"),  # punctuation joining title parts: Chinese uses full-width
    "income_sources": ("Income by source", "收入来源"),
    "key_by_class": ("Key indicators by county class", "分县域类别的主要指标"),
    "scenarios_compared": ("Scenarios compared", "情景比较"),
    "scenarios_legend": ("scenario: median and 90% band over replicates", "情景：各次模拟的中位数和90%区间"),
    "of_group": (" ({group} counties)", "（{group}）"), "of_group_comma": (", {group} counties", "，{group}"),
    "baseline_zero": ("baseline 0", "基准为0"), "pct_of_baseline": ("% of baseline", "占基准的百分比（%）"),
    "forest_title": ("Scenario − baseline over the horizon, % of baseline: mean paired difference with its 90% "
                     "interval\n(orange: the interval excludes zero; intervals cover replicate noise at this scale)",
                     "模拟期内情景 − 基准，占基准的百分比：配对差值均值及其90%区间\n"
                     "（橙色：区间不含零；区间只反映该抽样比例下的模拟随机差异）"),
    "vs_baseline": (" (scenario − baseline)", "（情景 − 基准）"),
    "paired_legend": ("scenario: mean paired difference per year, 90% interval over replicates",
                      "情景：每年配对差值均值，各次模拟的90%区间"),
    "paired_title": ("Scenario − baseline, year by year (flows summed, stocks at December)",
                     "情景 − 基准，逐年（流量按年合计，存量取12月值）"),
    "over_time_title": ("Paired differences over time: median and 90% band over replicates",
                        "配对差值随时间变化：各次模拟的中位数和90%区间"),
    # the terminal tables of `run` and `compare` (sim/ui/terminal_text.py)
    "unit": ("unit", "单位"), "kind": ("kind", "类型"), "base": ("base", "基准"), "scenario": ("scenario", "情景"),
    "diff_interval": ("difference [90% interval]", "差值 [90%区间]"),
    "stock": ("stock", "存量"), "flow": ("flow", "流量"), "ratio": ("ratio", "比率"),
    "stated expectations": ("stated expectations", "情景预期"), "fiscal costs": ("fiscal costs", "财政支出"),
    "key outcomes": ("key outcomes", "主要结果"), "other indicators": ("other indicators", "其他指标"),
    "run_head": ("{scenario} - {region}, {n} replicate(s), scale {scale}; annual values (flows summed, stocks at "
                 "year end)", "{scenario} - {region}，{n}次模拟，抽样比例{scale}；年度值（流量按年合计，存量取年末值）"),
    "compare_head": ("scenario - {base}: {n} paired replicates, region {region}, scale {scale}, {years} years from "
                     "{start}", "情景 - {base}：{n}次配对模拟，地区{region}，抽样比例{scale}，自{start}起{years}年"),
    "compare_values": ("values over the horizon: flows (kind 'flow') summed, stocks and ratios averaged over its "
                       "months; difference = scenario - base [90% interval]; * = the interval excludes zero",
                       "模拟期内取值：流量按期合计，存量和比率取各月平均；差值 = 情景 - 基准 [90%区间]；"
                       "* = 区间不含零"),
    "note": ("note: {text}", "注：{text}"),
    "expected_to": ("expected to {direction}: {verdict}", "预期{direction}：{verdict}"),
    "increase": ("increase", "增加"), "decrease": ("decrease", "减少"), "holds": ("holds", "成立"),
    "not_shown": ("NOT shown", "未得到证实"),
    "cost_line": ("fiscal cost {cost} yuan [{cost_low}, {cost_high}], returns to poverty {returns} households "
                  "[{returns_low}, {returns_high}]:", "财政支出变化 {cost} 元 [{cost_low}, {cost_high}]，返贫户数变化 "
                  "{returns} 户 [{returns_low}, {returns_high}]："),
    "it_reading": ("it {reading}", "该情景{reading}"),
    "wrote": ("wrote {out}/ ({files})", "已写入 {out}/（{files}）"),
    "wrote_seconds": ("wrote {out}/ ({files}) in {seconds:.1f} s", "已写入 {out}/（{files}），用时 {seconds:.1f} 秒"),
    # spending against the [budget] envelopes (sim/core/budget.py, summary_lines)
    "budget_line": ("budget ({scenario}): {level} levers ({levers}) spend at most {spent} yuan a year ({year}) against "
                    "a {level} envelope of {envelope} yuan: {verdict}",
                    "预算（{scenario}）：{level}政策（{levers}）每年支出最多 {spent} 元（{year}年），"
                    "{level}预算额度 {envelope} 元：{verdict}"),
    "within_every_year": ("within it every year", "每年均未超出"),
    "over_years": ("OVER it in {n} of {total} years ({years})", "{total}年中有{n}年超出（{years}）"),
    "level_county": ("county", "县级"), "level_city": ("city", "市级"),
    # the dashboard (sim/ui/dashboard/page.py, map_panel.py); a month reads "March 2023" or "2023年3月"
    "month": ("{month:%B %Y}", "{month.year}年{month.month}月"),
    "dash_title": ("ruralsim: rural revitalisation policy dashboard", "ruralsim：乡村振兴政策模拟看板"),
    "dash_tab": ("ruralsim dashboard", "ruralsim 政策模拟看板"),
    "not_started": ("Not started: the run begins in {month}; advance it to simulate.",
                    "尚未开始：模拟从{month}起；请点击前进按钮开始模拟。"),
    "simulated_through": ("Simulated through {month} ({done} of {total} months)",
                          "已模拟至{month}（共{total}个月，已完成{done}个月）"),
    "horizon_end": (" - the end of the horizon", "——已到模拟期末"),
    "now_none": ("This run against the baseline: no month simulated yet; press '{button}'.",
                 "本次运行与基准对比：尚未模拟任何月份；请点击“{button}”。"),
    "now_head": ("This run against the baseline, {month} ({region}; scale {scale}, seed {seed})",
                 "本次运行与基准对比，{month}（{region}；抽样比例{scale}，随机种子{seed}）"),
    "levers_head": ("Levers of this run against the baseline: {n} changed (bold). Moved levers apply when you "
                    "press '{button}'.", "本次运行的政策与基准对比：{n}项已调整（粗体）。调整后的政策在点击“{button}”后生效。"),
    "baseline_value": ("baseline: {value}", "基准：{value}"), "same_as_baseline": ("the baseline", "与基准相同"),
    "baseline_is": ("baseline {value}", "基准为{value}"),
    "card_run": ("The run", "本次运行"), "card_levers": ("Levers", "政策"),
    "levers_note": ("Move a lever, then restart the run with it; the baseline stays as it is.",
                    "调整政策后，按所选政策重新开始；基准保持不变。"),
    "relative_lever": (" = its baseline x this", " = 基准值 × 此倍数"),
    "per_1000": ("per 1,000 rural people", "每千农村人口"),
}

# sentences of sim/experiments/compare.py (its INTERVAL_NOTE and cost_reading), keyed by their English words
COMPARE_ZH = {
    "intervals cover replicate noise at this scale only, not uncertainty in the parameters or the model; use full "
    "scale (--scale 1) for decisions": "区间只反映该抽样比例下各次模拟之间的随机差异，不反映参数或模型本身的"
                                       "不确定性；决策请用全样本（--scale 1）",
    "saves money; its effect on returns to poverty is within replicate noise (no price per return)":
        "节省财政支出；对返贫的影响在模拟随机波动范围内（不计算每户返贫的代价）",
    "costs more; its effect on returns to poverty is within replicate noise (no price per return)":
        "增加财政支出；对返贫的影响在模拟随机波动范围内（不计算每户返贫的代价）",
    "costs the same; its effect on returns to poverty is within replicate noise (no price per return)":
        "财政支出不变；对返贫的影响在模拟随机波动范围内（不计算每户返贫的代价）",
    "saves money and avoids returns to poverty": "既节省财政支出又减少返贫",
    "yuan per return to poverty avoided": "元/每减少1户返贫",
    "yuan saved per additional return to poverty": "元/每增加1户返贫所节省的支出",
    "costs more and adds returns to poverty": "既增加财政支出又增加返贫",
}

# the dashboard's controls, by lever keyword (sim/ui/dashboard/levers.py) or control name, and the values
# of its choices: the English labels stay where the controls are declared
CONTROLS_ZH = {
    "region": "地区", "language": "语言",
    "after_transition": "过渡期结束后（有时限的帮扶政策）", "transition_extension_years": "过渡期延长（年）",
    "pv_household_share": "光伏：村级收益中分配到户的比例", "pv_post_wage_yuan_per_month": "光伏：公益岗位工资（元/月）",
    "workshop_sites_multiplier": "就业帮扶车间：数量（倍数）",
    "workshop_subsidy_yuan_per_worker_year": "就业帮扶车间：补贴（元/人·年）",
    "monitoring_detection_factor": "防止返贫动态监测：风险户发现率（基准的倍数）",
    "advance_month": "前进1个月", "advance_year": "前进1年", "run_to_end": "运行到期末", "restart": "按所选政策重新开始",
    "maintain": "保持不变", "taper": "逐步退坡", "end": "到期终止",
    "xinzhou": "忻州市", "shanxi": "山西省", "rucheng": "汝城县",
}


def section_label(section: str, lang: str = "en") -> str:
    """A scenario section's (and a lever's) name: its key, or the catalogue's Chinese."""
    return SECTIONS_ZH.get(section, section) if lang == "zh" else section


def compare_sentence(english: str, lang: str = "en") -> str:
    """A sentence of `compare` (its interval note, a cost reading) in `lang`; compare.py words the English."""
    return COMPARE_ZH[english] if lang == "zh" else english


def region_label(region: str, title: str, lang: str = "en") -> str:
    """A region's name: its profile's English title, or the catalogue's Chinese name."""
    return CONTROLS_ZH.get(region, title) if lang == "zh" else title


def check_lang(lang: str) -> str:
    from ..core.errors import InputError

    if lang not in LANGS:
        raise InputError(f"--lang: '{lang}' is not a language of the catalogue (allowed: {', '.join(LANGS)})")
    return lang


def english_title(name: str) -> str:
    """persons_below_poverty_line -> Persons below poverty line; pv_revenue_yuan -> PV revenue."""
    words = ["PV" if w == "pv" else w for w in name.replace("_yuan", "").split("_")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def indicator_zh(name: str) -> str | None:
    """The Chinese label of an indicator, None when the catalogue lacks it."""
    if name in INDICATORS_ZH:
        return INDICATORS_ZH[name]
    if name.startswith("income_") and name.endswith("_yuan") and "_per_capita" in name:
        category = name[len("income_"):name.index("_per_capita")]
        if category in INCOME_SOURCES_ZH:
            prefix = "脱贫人口人均" if name.endswith("_lifted_out_yuan") else "人均"
            return prefix + INCOME_SOURCES_ZH[category]
    return None


def indicator_label(name: str, lang: str = "en") -> str:
    """An indicator's title in `lang` (English from its name: the declaration is the one source)."""
    return (indicator_zh(name) or english_title(name)) if lang == "zh" else english_title(name)


def unit_label(unit: str, lang: str = "en") -> str:
    return UNITS_ZH.get(unit, unit) if lang == "zh" else unit


def parameter_zh(dotted: str) -> str | None:
    """The Chinese name of a parameter `section.name` (sim/ui/i18n_params.py), None when the catalogue lacks it."""
    from .i18n_params import COMMON_ZH, PARAMETERS_ZH

    return PARAMETERS_ZH.get(dotted) or COMMON_ZH.get(dotted.partition(".")[2])


def parameter_label(dotted: str, lang: str = "en") -> str:
    """'pv.post_wage_yuan_per_month' as the tables show it; in Chinese '光伏收益分配：公益岗位月工资（元）'."""
    section, _, name = dotted.partition(".")
    if lang != "zh":
        return dotted
    return f"{SECTIONS_ZH.get(section, section)}：{parameter_zh(dotted) or name}"


def term(key: str, lang: str = "en", **values) -> str:
    """A catalogue term in `lang`, its {placeholders} filled from `values`."""
    english, chinese = TERMS[key]
    text = chinese if lang == "zh" else english
    return text.format(**values) if values else text


def control_label(key: str, english: str, lang: str = "en") -> str:
    """A dashboard control's label: its declared English one, or the catalogue's Chinese."""
    return CONTROLS_ZH.get(key, english) if lang == "zh" else english


def group_label(group: str, lang: str = "en", county_names: dict[str, str] | None = None) -> str:
    """A `group` value for a legend: county class words, or a county's name for a county code."""
    if group in TERMS:
        return term(group, lang)
    return (county_names or {}).get(group, group)


def display_width(text: str) -> int:
    """Columns a terminal gives `text` (Chinese characters take two)."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def ljust(text: str, width: int) -> str:
    """`text` padded to `width` terminal columns (str.ljust counts Chinese characters as one)."""
    return text + " " * max(0, width - display_width(text))
