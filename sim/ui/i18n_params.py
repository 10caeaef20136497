"""Chinese names of the scenario parameters, keyed by `section.parameter` (`*.name` for what every lever
shares); the English name, unit and meaning stay declared beside each parameter (`param(...)`). Part of the
one catalogue of sim/ui/i18n.py, in a module of its own for length."""

COMMON_ZH = {
    "enabled": "启用", "after_transition": "过渡期后的安排", "taper_years": "逐步退坡年数", "strength": "政策力度",
    "schedule": "分时段安排",
}

PARAMETERS_ZH = {
    # run
    "run.region": "地区", "run.start_month": "起始月份", "run.years": "模拟年数", "run.scale": "模拟样本比例",
    "run.seed": "随机种子", "run.replicates": "重复模拟次数", "run.by": "结果分组（县域类别或县）",
    "run.warmup_months": "预热月数",
    # population
    "population.mean_household_size": "平均户规模", "population.max_household_size": "最大户规模",
    "population.labourer_share": "非脱贫户劳动力比例", "population.lifted_out_labourer_share": "脱贫户劳动力比例",
    "population.lifted_out_labourer_share_by_region": "分地区脱贫户劳动力比例",
    "population.elderly_share_of_non_labourers": "非劳动力中老年人比例", "population.village_size_sigma": "村规模离散度",
    "population.poverty_concentration_sigma": "贫困人口分布集中度", "population.poor_village_share": "原贫困村比例",
    "population.skill_sigma": "劳动能力离散度", "population.lifted_out_skill_factor": "脱贫劳动力能力系数",
    "population.farm_household_size_elasticity": "家庭经营收入对户规模的弹性",
    # lines
    "lines.poverty_line_2020_yuan": "2020年贫困标准（元）", "lines.poverty_line_growth_per_year": "贫困标准年增长率",
    "lines.monitoring_line_2021_yuan": "2021年防止返贫监测标准（元）",
    "lines.monitoring_line_growth_per_year": "监测标准年增长率", "lines.dibao_standard_yuan_by_year": "各年农村低保标准（元）",
    "lines.dibao_standard_growth_per_year": "低保标准年增长率",
    # transition
    "transition.window_years": "过渡期年数", "transition.extension_years": "过渡期延长年数",
    "transition.fixed_end_month": "过渡期统一结束月份",
    # county classes
    "county_classes.demonstration_intensity": "示范引领县帮扶力度", "county_classes.steady_intensity": "稳步推进县帮扶力度",
    "county_classes.key_intensity": "重点帮扶县帮扶力度",
    # demography
    "demography.retirement_age_years": "退出劳动年龄", "demography.early_entry_age_years": "提前就业年龄",
    "demography.early_entry_share": "提前就业比例", "demography.adult_age_years": "成年年龄",
    "demography.unable_share_at_entry": "成年时无劳动能力比例", "demography.out_migration_per_year": "年迁出率",
    "demography.out_migration_max_age_years": "迁出最大年龄", "demography.mortality_gompertz_a": "死亡率参数a（冈珀茨）",
    "demography.mortality_gompertz_b": "死亡率参数b（冈珀茨）", "demography.mortality_background": "背景死亡率",
    "demography.infant_mortality": "婴儿死亡率", "demography.birth_chance_per_young_labourer": "青年劳动力生育概率",
    "demography.fertile_age_min_years": "最低生育年龄", "demography.fertile_age_max_years": "最高生育年龄",
    "demography.birth_rate_per_1000_from_2020": "2020年起出生率（‰）", "demography.birth_rate_trend_after": "出生率趋势",
    "demography.spare_slot_years": "预留劳动力位年数", "demography.unable_share_of_young_non_labourers": "年轻非劳动力中无劳动能力比例",
    "demography.child_age_max_years": "儿童最大年龄", "demography.elderly_age_shares_by_decade": "老年人分年龄段比例",
    # shocks
    "shocks.illness_monthly_per_person": "每人每月患病概率", "shocks.illness_cost_mean_yuan": "平均医疗支出（元）",
    "shocks.illness_cost_sigma": "医疗支出离散度", "shocks.illness_work_loss_months": "患病误工月数",
    "shocks.disaster_probability_per_village_year": "每村每年受灾概率", "shocks.disaster_farm_loss_share": "受灾农业损失比例",
    "shocks.disaster_duration_months": "灾害影响月数", "shocks.migrant_shock_probability_per_year": "外出务工冲击年概率",
    "shocks.migrant_shock_job_loss_share": "外出务工冲击失业比例",
    # relocation
    "relocation.relocated_share_of_lifted_out": "脱贫户中易地搬迁比例", "relocation.poor_village_preference": "原贫困村搬迁倾向",
    "relocation.retained_farm_income_share": "搬迁后保留的家庭经营收入比例",
    "relocation.followup_jobs_per_100_relocated_households": "每百户搬迁户后续扶持岗位",
    "relocation.followup_wage_monthly_2020_yuan": "安置点就业月工资（2020年，元）",
    "relocation.subsidy_per_job_year_yuan": "每岗位年补贴（元）", "relocation.quit_monthly": "安置点岗位月离职率",
    # training
    "training.places_per_100k_rural_persons_per_year": "每十万农村人口年培训名额",
    "training.migrant_finding_effect": "培训对外出务工就业的作用", "training.wage_premium": "培训工资溢价",
    "training.cost_per_place_yuan": "每个培训名额费用（元）",
    # labour
    "labour.local_job_finding_monthly": "本地就业月找到率", "labour.migrant_job_finding_monthly": "外出务工月找到率",
    "labour.local_job_loss_monthly": "本地就业月失业率", "labour.migrant_job_loss_monthly": "外出务工月失业率",
    "labour.lifted_out_finding_factor": "脱贫劳动力就业系数", "labour.older_worker_age_years": "大龄劳动力年龄",
    "labour.older_worker_finding_factor": "大龄劳动力就业系数",
    # workshops
    "workshops.workshops_per_100k_rural_persons": "每十万农村人口就业帮扶车间数",
    "workshops.parks_per_100k_rural_persons": "每十万农村人口就业帮扶园区数",
    "workshops.bases_per_100k_rural_persons": "每十万农村人口就业帮扶基地数", "workshops.sites_multiplier": "车间数量倍数",
    "workshops.jobs_per_workshop": "每个车间岗位数", "workshops.jobs_per_park": "每个园区岗位数",
    "workshops.jobs_per_base": "每个基地岗位数", "workshops.wage_monthly_2020_yuan": "车间月工资（2020年，元）",
    "workshops.subsidy_per_worker_year_yuan": "每人每年车间补贴（元）",
    "workshops.survival_subsidy_per_worker_year_yuan": "车间维持经营所需补贴（元/人·年）",
    "workshops.quit_monthly": "车间岗位月离职率", "workshops.closure_hazard_monthly": "车间月关停风险",
    # pv
    "pv.beneficiary_village_share": "光伏受益村比例", "pv.capacity_kw_per_beneficiary_village": "每个受益村装机容量（千瓦）",
    "pv.capacity_sigma": "装机容量离散度", "pv.yield_kwh_per_kw_year": "年发电小时数（千瓦时/千瓦）",
    "pv.solar_monthly_profile": "分月发电比例", "pv.commissioning_year": "并网年份", "pv.degradation_per_year": "组件年衰减率",
    "pv.station_life_years": "电站寿命（年）", "pv.benchmark_tariff_yuan_per_kwh": "标杆电价（元/千瓦时）",
    "pv.subsidy_yuan_per_kwh": "电价补贴（元/千瓦时）", "pv.county_retention_share": "县级留存比例",
    "pv.household_share_of_village_funds": "村级光伏收益到户比例", "pv.post_wages_share": "用于公益岗位工资的比例",
    "pv.public_works_share": "用于小型公益事业的比例", "pv.dividends_share": "用于分红的比例",
    "pv.post_wage_yuan_per_month": "公益岗位月工资（元）", "pv.posts_for_lifted_out_or_monitored_only": "公益岗位仅限脱贫户和监测对象",
    "pv.posts_oldest_first": "公益岗位优先安排年长者", "pv.settlement_months": "光伏收益结算月份",
    # model villages
    "model_villages.start_year": "开始年份", "model_villages.end_year": "结束年份",
    "model_villages.model_share_first_year": "首年示范村比例", "model_villages.model_share_per_year": "每年新增示范村比例",
    "model_villages.upgraded_share_first_year": "首年提档升级村比例",
    "model_villages.upgraded_share_per_year": "每年新增提档升级村比例",
    "model_villages.collective_income_model_yuan_per_year": "示范村集体年增收（元）",
    "model_villages.collective_income_upgraded_yuan_per_year": "提档升级村集体年增收（元）",
    "model_villages.local_finding_factor_model": "示范村本地就业系数",
    "model_villages.local_finding_factor_upgraded": "提档升级村本地就业系数",
    "model_villages.investment_model_yuan": "每个示范村投资（元）", "model_villages.investment_upgraded_yuan": "每个提档升级村投资（元）",
    # income
    "income.farm_income_per_household_2020_yuan": "户均家庭经营收入（2020年，元）", "income.farm_income_sigma": "家庭经营收入离散度",
    "income.farm_monthly_profile": "家庭经营收入分月比例", "income.local_wage_monthly_2020_yuan": "本地务工月工资（2020年，元）",
    "income.migrant_wage_monthly_2020_yuan": "外出务工月工资（2020年，元）",
    "income.poverty_county_income_factor": "脱贫县收入系数", "income.lifted_out_income_factor": "脱贫户收入系数",
    "income.other_transfers_monthly_per_person_2020_yuan": "人均月其他转移性收入（2020年，元）",
    "income.support_from_children_monthly_per_person_yuan": "人均月子女赡养（元）", "income.transfers_sigma": "转移性收入离散度",
    "income.village_collective_income_median_yuan": "村集体收入中位数（元）",
    "income.village_collective_income_sigma": "村集体收入离散度", "income.wage_growth_by_year": "各年工资增长率",
    "income.wage_growth_per_year": "工资年增长率", "income.farm_growth_by_year": "各年家庭经营收入增长率",
    "income.farm_growth_per_year": "家庭经营收入年增长率", "income.transfer_growth_per_year": "转移性收入年增长率",
    "income.farm_transitory_sigma": "家庭经营收入暂时性波动", "income.farm_transitory_persistence": "暂时性波动持续性",
    # pension
    "pension.basic_monthly_yuan_by_year": "各年基础养老金月标准（元）",
    "pension.provincial_supplement_monthly_yuan": "省级补贴月标准（元）",
    "pension.individual_account_monthly_yuan": "个人账户月养老金（元）", "pension.growth_after_table_per_year": "此后年增长率",
    # verification
    "verification.survey_month": "年度收入核查月份", "verification.register_extra_per_person_2020_yuan": "建档口径人均额外计入收入（元）",
    "verification.weight_of_current_year": "当年收入权重", "verification.error_sigma": "核查误差离散度",
    "verification.supporter_share": "赡养人收入计入比例", "verification.error_persistence": "核查误差持续性",
    # tekun
    "tekun.standard_ratio_to_dibao": "特困供养标准与低保标准之比", "tekun.take_up_share": "特困供养覆盖比例",
    "tekun.lifted_out_take_up_share": "脱贫户特困供养覆盖比例", "tekun.verification_lag_months": "审核滞后月数",
    "tekun.review_interval_months": "复核间隔月数", "tekun.gradual_exit_months": "渐退期月数",
    # dibao
    "dibao.quota_share_of_rural_persons": "低保对象占农村人口比例上限", "dibao.take_up_share": "低保覆盖比例",
    "dibao.lifted_out_take_up_share": "脱贫户低保覆盖比例", "dibao.imputed_income_per_idle_labourer_yuan": "闲置劳动力折算收入（元）",
    "dibao.verification_lag_months": "审核滞后月数", "dibao.review_interval_months": "复核间隔月数",
    "dibao.gradual_exit_months": "渐退期月数",
    # insurance
    "insurance.medical_insurance_participation": "医疗保险参保率", "insurance.medical_reimbursement_rate": "医保报销比例",
    "insurance.poverty_medical_assistance_rate": "医疗救助比例", "insurance.agricultural_coverage_key": "重点帮扶县农业保险覆盖率",
    "insurance.agricultural_coverage_other": "其他县农业保险覆盖率", "insurance.key_coverage_from_year": "重点县覆盖起始年份",
    "insurance.indemnity_share": "赔付比例", "insurance.medical_premium_subsidy_per_person_yuan": "人均医保缴费补贴（元）",
    "insurance.premium_subsidy_growth_per_year": "缴费补贴年增长率",
    "insurance.agricultural_premium_subsidy_per_household_yuan": "户均农业保险保费补贴（元）",
    # monitoring
    "monitoring.self_declaration_monthly": "农户自主申报月概率", "monitoring.cadre_visit_monthly": "干部走访排查月概率",
    "monitoring.data_screening_monthly": "部门筛查预警月概率", "monitoring.detection_multiplier": "风险户发现率倍数",
    "monitoring.mechanism_start_month": "监测机制启动月份", "monitoring.processing_lag_months": "识别认定滞后月数",
    "monitoring.income_drop_trigger_share": "收入骤减触发比例",
    "monitoring.development_assistance_yuan_per_month": "开发式帮扶月额度（元）",
    "monitoring.stable_months_for_elimination": "风险消除所需稳定月数",
    "monitoring.reverification_interval_months": "监测户入户核实收入间隔月数",
    "monitoring.admin_cost_yuan_per_household_month": "每户每月工作经费（元）",
    # budget
    "budget.county_yuan_per_year": "县级年度预算（元）", "budget.city_yuan_per_year": "市级年度预算（元）",
    "budget.county_levers": "县级承担的政策", "budget.city_levers": "市级承担的政策",
}
