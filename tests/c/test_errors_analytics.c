/* Error paths of the analyses (flows, migration, CLV, report, funnels, statistics, NPS,
 * processes, scoring, models): NULL pointers, bad JSON and TOML (the detail names line and
 * column), invalid configs, mismatched lengths, invalid values naming their row, unknown
 * codes, out-of-range indices, missing data and failed fits. Out-parameters stay untouched
 * on failure. */
#include "fixture.h"

static crm_base *small_base(void) {
    static const char *const ids[] = {"a", "a", "b"};
    static const char *const dates[] = {"2024-01-10", "2024-06-01", "2024-03-01"};
    static const double amounts[] = {10, 20, 30};
    crm_base_builder *b = builder();
    add_tx(b, ids, dates, amounts, NULL, 3);
    return build_base(b);
}

static crm_rfm_columns three_rows(const double *f, const double *r, const double *t) {
    crm_rfm_columns c = crm_rfm_columns_default();
    c.frequency = f;
    c.frequency_len = 3;
    c.recency = r;
    c.recency_len = 3;
    c.t = t;
    c.t_len = 3;
    return c;
}

static const double F[] = {0, 1, 2}, R[] = {0, 3, 5}, T[] = {6, 6, 6};

static void null_pointers_and_neutral_values(void) {
    crm_base *base = small_base();
    crm_flows *flows = NULL;
    crm_funnel *funnel = NULL;
    crm_funnel_result *fr = NULL;
    crm_funnel_period period = crm_funnel_period_default();
    const crm_rfm_columns data = three_rows(F, R, T);
    crm_bgnbd_params model = {-1, -1, -1, -1};
    crm_scenario scenario = {1, 1, 1, 1};
    crm_scenario_comparison cmp;
    crm_proportion p;
    crm_due_actions *actions = NULL;
    crm_process *none[1] = {NULL};
    CHECK_FAILS(crm_flows_new(NULL, 0, 10, NULL, &flows), CRM_RESULT_NULL_PARAMETER, "`base`");
    CHECK_FAILS(crm_flows_new(base, 0, 10, NULL, NULL), CRM_RESULT_NULL_PARAMETER, "out_flows");
    CHECK_FAILS(crm_funnel_result_new(base, NULL, &period, &fr), CRM_RESULT_NULL_PARAMETER, "`funnel`");
    CHECK_OK(crm_funnel_new_json("{\"name\":\"f\",\"steps\":[]}", 23, &funnel));
    CHECK_FAILS(crm_funnel_result_new(base, funnel, NULL, &fr), CRM_RESULT_NULL_PARAMETER, "`period`");
    CHECK_FAILS(crm_bgnbd_fit(NULL, NULL, &model, NULL), CRM_RESULT_NULL_PARAMETER, "`data`");
    CHECK_FAILS(crm_bgnbd_fit(&data, NULL, NULL, NULL), CRM_RESULT_NULL_PARAMETER, "out_model");
    CHECK(model.r == -1); /* untouched */
    CHECK_FAILS(crm_scenario_compare(NULL, &scenario, &cmp), CRM_RESULT_NULL_PARAMETER, "`before`");
    CHECK_FAILS(crm_wilson(1, 2, 0.95, NULL), CRM_RESULT_NULL_PARAMETER, "out_proportion");
    CHECK_FAILS(crm_due_actions_new(base, none, 1, 10, NULL, &actions), CRM_RESULT_NULL_PARAMETER, "processes[0]");
    CHECK_FAILS(crm_due_actions_new(base, none, 0, 10, NULL, &actions), CRM_RESULT_EMPTY_INPUT, "no processes");
    CHECK_FAILS(crm_nps_groups_new(base, NULL, 3, 0, 10, 0.95, NULL, 0, NULL), CRM_RESULT_NULL_PARAMETER, "kind");
    CHECK_FAILS(crm_migration_from_rates(NULL, 2, NULL, 4, NULL), CRM_RESULT_NULL_PARAMETER, "out_migration");
    const double cohort[] = {10, 5};
    CHECK_FAILS(crm_sbg_fit(cohort, 2, NULL, NULL, NULL), CRM_RESULT_NULL_PARAMETER, "out_model");
    CHECK_FAILS(crm_sbg_fit(NULL, 3, NULL, NULL, NULL), CRM_RESULT_NULL_PARAMETER, "array `alive` is NULL");
    CHECK(flows == NULL && fr == NULL && actions == NULL);
    (void)p;

    /* Queries on NULL give neutral values; frees of NULL do nothing. */
    CHECK(crm_flows_count(NULL) == 0 && crm_flows_segment_len(NULL) == 0 && !crm_flow_report_balances(NULL));
    CHECK(crm_migration_state_count(NULL) == 0 && crm_migration_from_date(NULL) == CRM_NO_DATE);
    CHECK(crm_clv_count(NULL) == 0 && crm_clv_group_count(NULL, 0) == 0 && crm_clv_as_of(NULL) == CRM_NO_DATE);
    CHECK(crm_report_as_of(NULL) == CRM_NO_DATE && !crm_report_has_clv(NULL) && crm_report_segment_len(NULL, 0) == 0);
    CHECK(crm_funnel_step_count(NULL) == 0 && crm_funnel_result_group_count(NULL) == 0);
    CHECK(crm_process_id(NULL) == NULL && crm_process_dialog_count(NULL) == 0);
    CHECK(crm_due_actions_count(NULL, 0) == 0 && crm_kpi_results_count(NULL) == 0);
    CHECK(crm_scores_count(NULL) == 0 && crm_backtest_count(NULL) == 0 && crm_scoring_model_rule_count(NULL) == 0);
    CHECK(crm_nps_groups_count(NULL) == 0 && crm_rfm_summary_count(NULL) == 0);
    crm_flows_free(NULL);
    crm_migration_free(NULL);
    crm_clv_free(NULL);
    crm_report_free(NULL);
    crm_funnel_free(NULL);
    crm_funnel_result_free(NULL);
    crm_process_free(NULL);
    crm_due_actions_free(NULL);
    crm_kpi_results_free(NULL);
    crm_scoring_model_free(NULL);
    crm_scores_free(NULL);
    crm_backtest_free(NULL);
    crm_nps_groups_free(NULL);
    crm_rfm_summary_free(NULL);
    crm_funnel_free(funnel);
    crm_base_free(base);
}

static void bad_json_and_toml_name_line_and_column(void) {
    crm_funnel *f = (crm_funnel *)&f; /* a sentinel: must stay untouched on failure */
    crm_scoring_model *m = NULL;
    crm_process *p = NULL;
    const char *funnel = "{\n  \"name\": \"x\",\n  \"steps\": [\n    {\"name\": \"a\" \"event\": 1}\n  ]\n}";
    CHECK_FAILS(crm_funnel_new_json(funnel, strlen(funnel), &f), CRM_RESULT_INVALID_CONFIG,
                "invalid config `funnel`: expected `,` or `}` at line 4 column");
    CHECK(f == (crm_funnel *)&f);
    const char *shape = "{\"name\": \"x\", \"steps\": [{\"name\": \"a\", \"event\": {\"type\": \"phone_call\"}}]}";
    CHECK_FAILS(crm_funnel_new_json(shape, strlen(shape), &f), CRM_RESULT_INVALID_CONFIG,
                "unknown variant `phone_call`");
    CHECK_FAILS(crm_funnel_new_json("{\"name\": \"x\"}", 13, &f), CRM_RESULT_INVALID_CONFIG,
                "missing field `steps` at line 1 column 13");
    CHECK_FAILS(crm_funnel_new_json("{\"name\": \"\xff\"}", 13, &f), CRM_RESULT_INVALID_UTF8, "`json`");
    CHECK_FAILS(crm_funnel_new_json("", 0, &f), CRM_RESULT_INVALID_CONFIG, "EOF while parsing");
    const char *model = "{\"rules\": [\n{\"name\": \"r\", \"weight\": \"heavy\", \"condition\": {}}]}";
    CHECK_FAILS(crm_scoring_model_new_json(model, strlen(model), &m), CRM_RESULT_INVALID_CONFIG,
                "invalid config `scoring model`: invalid type: string \"heavy\", expected f64 at line 2 column");
    CHECK(m == NULL);
    const char *process = "{\"id\": \"P:9\", \"name\": \"x\",\n \"kind\": \"retain\", \"dialogs\": [}";
    CHECK_FAILS(crm_process_new_json(process, strlen(process), &p), CRM_RESULT_INVALID_CONFIG, "line 2 column");
    const char *toml = "id = \"P:9\"\nname = \n";
    CHECK_FAILS(crm_process_new_toml(toml, strlen(toml), &p), CRM_RESULT_INVALID_CONFIG, "TOML parse error at line");
    /* Well-formed but invalid: a repeated dialog id. */
    const char *twice = "{\"id\": \"P:9\", \"name\": \"x\", \"kind\": \"retain\", \"dialogs\": ["
                        "{\"id\": \"D:1\", \"name\": \"a\", \"trigger\": {\"type\": \"calendar\", \"date\": "
                        "\"2025-01-01\"}, \"timing\": {\"type\": \"immediately\"}, \"channel\": \"email\"},"
                        "{\"id\": \"D:1\", \"name\": \"b\", \"trigger\": {\"type\": \"calendar\", \"date\": "
                        "\"2025-01-01\"}, \"timing\": {\"type\": \"immediately\"}, \"channel\": \"email\"}]}";
    CHECK_FAILS(crm_process_new_json(twice, strlen(twice), &p), CRM_RESULT_INVALID_CONFIG, "empty or repeated");
    CHECK(p == NULL);

    /* A back-test outcome is JSON too. */
    crm_base *base = small_base();
    crm_backtest *bt = NULL;
    CHECK_OK(crm_scoring_model_new_json("{\"rules\": []}", 13, &m));
    CHECK_FAILS(crm_backtest_new(base, m, 10, "{\"type\": \"purchase\",}", 21, 30, &bt), CRM_RESULT_INVALID_CONFIG,
                "invalid config `outcome`: trailing comma at line 1 column 21");
    CHECK(bt == NULL);
    crm_scoring_model_free(m);
    crm_base_free(base);
}

static void invalid_configs_name_the_field(void) {
    crm_base *base = small_base();
    crm_flows *flows = NULL;
    crm_clv *clv = NULL;
    crm_migration *mig = NULL;
    crm_report *report = NULL;
    crm_flow_config fc = crm_flow_config_default();
    fc.inactivity_days = 0;
    CHECK_FAILS(crm_flows_new(base, iso("2024-01-01"), iso("2025-01-01"), &fc, &flows), CRM_RESULT_INVALID_CONFIG,
                "invalid config `inactivity_days`");
    fc = crm_flow_config_default();
    fc.duration_base = 9;
    CHECK_FAILS(crm_flows_new(base, iso("2024-01-01"), iso("2025-01-01"), &fc, &flows), CRM_RESULT_INVALID_CONFIG,
                "`duration_base`: 9 is not a crm_duration_base code");
    fc = crm_flow_config_default();
    fc.segments.shares[0] = 0.9;
    CHECK_FAILS(crm_flows_new(base, iso("2024-01-01"), iso("2025-01-01"), &fc, &flows), CRM_RESULT_INVALID_CONFIG,
                "`shares`");
    CHECK_FAILS(crm_flows_new_series(base, iso("2024-01-01"), CRM_PERIOD_MONTH, 0, NULL, &flows),
                CRM_RESULT_INVALID_CONFIG, "`count`");
    CHECK_FAILS(crm_flows_new_series(base, iso("2024-01-01"), 3, 2, NULL, &flows), CRM_RESULT_INVALID_ARGUMENT,
                "crm_period");
    crm_clv_config cc = crm_clv_config_default();
    cc.discount_rate = -1;
    CHECK_FAILS(crm_clv_new(base, iso("2024-12-31"), &cc, &clv), CRM_RESULT_INVALID_CONFIG, "`discount_rate`");
    cc = crm_clv_config_default();
    cc.duration_years = -2;
    CHECK_FAILS(crm_clv_new(base, iso("2024-12-31"), &cc, &clv), CRM_RESULT_INVALID_CONFIG, "`duration_years`");
    CHECK_FAILS(crm_migration_new_segments(base, iso("2024-12-31"), iso("2024-01-01"), NULL, &mig),
                CRM_RESULT_INVALID_CONFIG, "`to`");
    crm_report_config rc = crm_report_config_default();
    rc.segments.measure = 7;
    CHECK_FAILS(crm_report_new(base, iso("2024-12-31"), &rc, &report), CRM_RESULT_INVALID_CONFIG, "`measure`");
    rc = crm_report_config_default();
    rc.clv.flows.duration_base = 5;
    CHECK_FAILS(crm_report_new(base, iso("2024-12-31"), &rc, &report), CRM_RESULT_INVALID_CONFIG, "duration_base");
    CHECK(flows == NULL && clv == NULL && mig == NULL && report == NULL);

    /* Fit options, scoring rules, funnel periods, variants. */
    const crm_rfm_columns data = three_rows(F, R, T);
    crm_bgnbd_params model;
    crm_fit_options o = crm_fit_options_default();
    CHECK(o.max_iterations == 500 && o.penalizer == 0.0 && o.initial == NULL && o.tolerance == 1e-10);
    o.tolerance = 0.0;
    CHECK_FAILS(crm_bgnbd_fit(&data, &o, &model, NULL), CRM_RESULT_INVALID_CONFIG, "`tolerance`");
    o.tolerance = 1e-10;
    o.penalizer = -1;
    CHECK_FAILS(crm_bgnbd_fit(&data, &o, &model, NULL), CRM_RESULT_INVALID_CONFIG, "`penalizer`");
    const double start[2] = {1, 1};
    o = crm_fit_options_default();
    o.initial = start;
    o.initial_len = 2;
    CHECK_FAILS(crm_bgnbd_fit(&data, &o, &model, NULL), CRM_RESULT_INVALID_CONFIG, "`initial`");
    crm_scoring_model *m = NULL;
    crm_scores *scores = NULL;
    const char *half = "{\"rules\": [{\"name\": \"r\", \"weight\": 1, \"condition\": {\"type\": \"purchase_within\", "
                       "\"days\": 30}, \"half_life_days\": 0}]}";
    CHECK_OK(crm_scoring_model_new_json(half, strlen(half), &m));
    CHECK_FAILS(crm_scores_new(base, m, iso("2024-12-31"), &scores), CRM_RESULT_INVALID_CONFIG, "`half_life_days`");
    crm_scoring_model_free(m);
    crm_funnel *f = NULL;
    crm_funnel_result *fr = NULL;
    const char *one = "{\"name\": \"f\", \"steps\": [{\"name\": \"buy\", \"event\": {\"type\": \"purchase\"}}]}";
    CHECK_OK(crm_funnel_new_json(one, strlen(one), &f));
    crm_funnel_period p = crm_funnel_period_default();
    CHECK_FAILS(crm_funnel_result_new(base, f, &p, &fr), CRM_RESULT_INVALID_ARGUMENT, "`entry_from` is CRM_NO_DATE");
    p.entry_from = iso("2024-01-01");
    p.entry_to = iso("2024-02-01");
    p.as_of = iso("2024-12-31");
    p.confidence = 1.5;
    CHECK_FAILS(crm_funnel_result_new(base, f, &p, &fr), CRM_RESULT_INVALID_CONFIG, "`confidence`");
    crm_funnel_free(f);
    const uint64_t customers[] = {10, 10}, conversions[] = {5, 12};
    crm_variant_result v[2];
    CHECK_FAILS(crm_compare_variants(customers, 2, conversions, 2, 0, 0.95, NULL, v, 2), CRM_RESULT_INVALID_CONFIG,
                "variant `1` has more conversions than customers");
    CHECK_FAILS(crm_compare_variants(customers, 2, customers, 2, 5, 0.95, NULL, v, 2), CRM_RESULT_INVALID_CONFIG,
                "`control`");
    crm_economics e = crm_economics_default();
    e.value_per_conversion = INFINITY;
    CHECK_FAILS(crm_compare_variants(customers, 2, customers, 2, 0, 0.95, &e, v, 2), CRM_RESULT_INVALID_CONFIG,
                "`economics`");
    crm_base_free(base);
}

static void mismatched_lengths(void) {
    crm_rfm_columns data = three_rows(F, R, T);
    crm_bgnbd_params model = {0.243, 4.414, 0.793, 2.426};
    crm_fit_summary s;
    double out[3];
    data.recency_len = 2;
    CHECK_FAILS(crm_bgnbd_fit(&data, NULL, &model, &s), CRM_RESULT_LENGTH_MISMATCH,
                "column `recency` has 2 values but `frequency` has 3");
    data = three_rows(F, R, T);
    data.weights = F;
    data.weights_len = 1;
    CHECK_FAILS(crm_bgnbd_fit(&data, NULL, &model, &s), CRM_RESULT_LENGTH_MISMATCH, "column `weights` has 1");
    data = three_rows(F, R, T);
    CHECK_FAILS(crm_bgnbd_probability_alive(&model, &data, out, 2), CRM_RESULT_LENGTH_MISMATCH, "room for 2");
    data.monetary_value_len = 0;
    const crm_gamma_gamma_params spend = {6.25, 3.74, 15.44};
    CHECK_FAILS(crm_bgnbd_customer_lifetime_value(&model, &spend, &data, 12, 0.01, 4.345, out, 3),
                CRM_RESULT_LENGTH_MISMATCH, "column `monetary_value` has 0");
    data = crm_rfm_columns_default();
    CHECK_FAILS(crm_bgnbd_fit(&data, NULL, &model, &s), CRM_RESULT_EMPTY_INPUT, "no rows");

    const uint64_t customers[] = {10, 10}, conversions[] = {5};
    crm_variant_result v[2];
    CHECK_FAILS(crm_compare_variants(customers, 2, conversions, 1, 0, 0.95, NULL, v, 2), CRM_RESULT_LENGTH_MISMATCH,
                "column `conversions` has 1");
    CHECK_FAILS(crm_compare_variants(customers, 2, customers, 2, 0, 0.95, NULL, v, 1), CRM_RESULT_LENGTH_MISMATCH,
                "room for 1");

    const crm_str states[] = {str("a"), str("b")};
    const double rates[] = {1, 0, 0, 1};
    crm_migration *m = NULL;
    CHECK_FAILS(crm_migration_from_rates(states, 2, rates, 3, &m), CRM_RESULT_LENGTH_MISMATCH, "need 2 x 2 = 4");
    const double bad_rates[] = {0.5, 0.4, 0, 1};
    CHECK_FAILS(crm_migration_from_rates(states, 2, bad_rates, 4, &m), CRM_RESULT_INVALID_CONFIG, "row 0 (a)");
    CHECK_OK(crm_migration_from_rates(states, 2, rates, 4, &m));
    double p[6], start[2] = {1, NAN};
    uint64_t counts[4];
    CHECK_FAILS(crm_migration_project(m, start, 1, 2, p, 6), CRM_RESULT_LENGTH_MISMATCH, "column `start` has 1");
    CHECK_FAILS(crm_migration_project(m, start, 2, 2, p, 6), CRM_RESULT_INVALID_VALUE, "row 1, column `start`");
    start[1] = 0;
    CHECK_FAILS(crm_migration_project(m, start, 2, 2, p, 5), CRM_RESULT_LENGTH_MISMATCH, "room for 5 values");
    CHECK_FAILS(crm_migration_copy_counts(m, counts, 3), CRM_RESULT_LENGTH_MISMATCH, "has 4");
    CHECK_FAILS(crm_migration_customer_value(m, start, 2, 0.0, p, 2), CRM_RESULT_INVALID_CONFIG, "`discount`");
    crm_migration_free(m);

    crm_process *examples[CRM_PROCESS_EXAMPLES];
    CHECK_FAILS(crm_process_examples(examples, 1), CRM_RESULT_LENGTH_MISMATCH, "room for 1");
}

static void invalid_values_and_arguments(void) {
    const double bad_r[] = {0, 7, 5}; /* recency 7 > T 6 in row 1 */
    crm_rfm_columns data = three_rows(F, bad_r, T);
    crm_bgnbd_params model = {0.243, 4.414, 0.793, 2.426}, fitted = {-1, -1, -1, -1};
    double out[3];
    CHECK_FAILS(crm_bgnbd_fit(&data, NULL, &fitted, NULL), CRM_RESULT_INVALID_VALUE, "row 1, column `recency`");
    CHECK(fitted.r == -1);
    CHECK_FAILS(crm_bgnbd_probability_alive(&model, &data, out, 3), CRM_RESULT_INVALID_VALUE, "row 1, column `recency`");
    const double half[] = {0, 1.5, 2};
    data = three_rows(half, R, T);
    CHECK_FAILS(crm_pareto_nbd_probability_alive((const crm_pareto_nbd_params *)&model, &data, out, 3),
                CRM_RESULT_INVALID_VALUE, "row 1, column `frequency`");
    const double more[] = {0, 4, 2}; /* 4 transactions, the last at opportunity 3 */
    data = three_rows(more, R, T);
    CHECK_FAILS(crm_bgbb_probability_alive((const crm_bgbb_params *)&model, &data, out, 3), CRM_RESULT_INVALID_VALUE,
                "row 1, column `frequency`: (4, 3, 6) is not whole 0 <= x <= t_x <= n");
    const double minus[] = {-1.0};
    CHECK_FAILS(crm_bgnbd_expected_purchases(&model, minus, 1, out, 1), CRM_RESULT_INVALID_VALUE, "row 0, column `t`");
    const double zero_x[] = {0.0}, spend_m[] = {10.0};
    crm_rfm_columns gg = crm_rfm_columns_default();
    gg.frequency = zero_x;
    gg.frequency_len = 1;
    gg.monetary_value = spend_m;
    gg.monetary_value_len = 1;
    crm_gamma_gamma_params g;
    CHECK_FAILS(crm_gamma_gamma_fit(&gg, NULL, &g, NULL), CRM_RESULT_INVALID_VALUE, "row 0, column `frequency`");

    /* Parameters, horizons, rates and confidences out of their domain. */
    const crm_bgnbd_params negative = {0.2, -4.0, 0.8, 2.4};
    data = three_rows(F, R, T);
    CHECK_FAILS(crm_bgnbd_probability_alive(&negative, &data, out, 3), CRM_RESULT_INVALID_ARGUMENT,
                "`model.alpha` = -4 is not a parameter > 0");
    CHECK_FAILS(crm_bgnbd_conditional_expected_purchases(&model, NAN, &data, out, 3), CRM_RESULT_INVALID_ARGUMENT,
                "`horizon`");
    const crm_gamma_gamma_params zero_spend = {0, 3.74, 15.44};
    data.monetary_value = T;
    data.monetary_value_len = 3;
    CHECK_FAILS(crm_bgnbd_customer_lifetime_value(&model, &zero_spend, &data, 12, 0.01, 4.345, out, 3),
                CRM_RESULT_INVALID_ARGUMENT, "`spend.p`");
    crm_proportion p;
    crm_difference d;
    uint64_t n = 0;
    double v = 0;
    CHECK_FAILS(crm_wilson(3, 2, 0.95, &p), CRM_RESULT_INVALID_ARGUMENT, "3 successes in 2 trials");
    CHECK_FAILS(crm_wilson(1, 2, 0.0, &p), CRM_RESULT_INVALID_ARGUMENT, "`confidence`");
    CHECK_FAILS(crm_compare_proportions(1, 2, 3, 2, 0.95, &d), CRM_RESULT_INVALID_ARGUMENT, "`b`");
    CHECK_FAILS(crm_sample_size(0.5, 0.5, 0.05, 0.8, &n), CRM_RESULT_INVALID_ARGUMENT, "no sample size");
    CHECK_FAILS(crm_retention_clv(100, 1.5, 0.1, &v), CRM_RESULT_INVALID_CONFIG, "`retention`: 1.5");
    /* Issue #13 item 10: impossible values are refused, the argument named. */
    CHECK_FAILS(crm_retention_clv(100, 1, 0, &v), CRM_RESULT_INVALID_CONFIG, "`retention`");
    CHECK_FAILS(crm_discounted_clv(100, 2, -1, &v), CRM_RESULT_INVALID_CONFIG, "`discount`");
    CHECK_FAILS(crm_sample_size(0.5, 0.6, 0, 0.8, &n), CRM_RESULT_INVALID_CONFIG, "`alpha`");
    CHECK_FAILS(crm_sample_size(0.5, 0.6, 0.05, 1, &n), CRM_RESULT_INVALID_CONFIG, "`power`");
    CHECK_FAILS(crm_discounted_clv(NAN, 2, 0.1, &v), CRM_RESULT_INVALID_CONFIG, "`yearly_margin`");
    CHECK_FAILS(crm_simple_clv(5, 1000, -1, &v), CRM_RESULT_INVALID_CONFIG, "`duration_years`");
    CHECK_FAILS(crm_average_duration(10, 1, 0, &v), CRM_RESULT_INVALID_ARGUMENT, "`period_days`");
    const crm_scenario ok = {1, 1, 1, 1}, bad = {1, NAN, 1, 1};
    crm_scenario_comparison c;
    CHECK_FAILS(crm_scenario_compare(&ok, &bad, &c), CRM_RESULT_INVALID_CONFIG, "`after.purchases_per_year`");
    const uint8_t scores[] = {10, 9, 12};
    crm_nps_summary nps;
    CHECK_FAILS(crm_nps(scores, 3, 0.95, &nps), CRM_RESULT_INVALID_VALUE, "row 2, column `score`: 12");
    crm_nps_summary wrong = {10, 1, 1, 1, 0, 0, 0};
    crm_nps_change ch;
    CHECK_FAILS(crm_nps_compare(&wrong, &wrong, 0.95, &ch), CRM_RESULT_INVALID_VALUE, "`first`");
    CHECK(v == 0 && n == 0);

    crm_base *base = small_base();
    crm_rfm_summary *s = NULL;
    crm_clv *clv = NULL;
    CHECK_FAILS(crm_rfm_summary_new(base, iso("2024-12-31"), 0.0, &s), CRM_RESULT_INVALID_ARGUMENT, "`days_per_unit`");
    CHECK_FAILS(crm_clv_new(base, CRM_NO_DATE, NULL, &clv), CRM_RESULT_INVALID_ARGUMENT, "`as_of` is CRM_NO_DATE");
    CHECK(s == NULL && clv == NULL);
    crm_base_free(base);
}

static void indices_codes_missing_data_and_failed_fits(void) {
    crm_base *base = small_base();
    crm_flows *flows = NULL;
    crm_flow_report fr;
    crm_segment_flows sf;
    CHECK_OK(crm_flows_new(base, iso("2024-01-01"), iso("2025-01-01"), NULL, &flows));
    CHECK_FAILS(crm_flows_report_at(flows, 1, &fr), CRM_RESULT_OUT_OF_RANGE, "index 1 is out of range");
    CHECK_FAILS(crm_flows_segment_row(flows, 0, 4, &sf), CRM_RESULT_OUT_OF_RANGE, "segment row count has 4");
    crm_flows_free(flows);

    crm_migration *m = NULL;
    const char *name = NULL;
    crm_segments_config sc = crm_segments_config_default();
    CHECK_OK(crm_migration_new_segments(base, iso("2023-12-31"), iso("2024-12-31"), NULL, &m));
    CHECK_FAILS(crm_migration_state_name(m, 5, &name), CRM_RESULT_OUT_OF_RANGE, "state count has 5");
    crm_migration_free(m);
    m = NULL;
    sc.measure = CRM_VALUE_MEASURE_MARGIN;
    CHECK_FAILS(crm_migration_new_segments(base, iso("2023-12-31"), iso("2024-12-31"), &sc, &m),
                CRM_RESULT_MISSING_DATA, "needs margins");
    CHECK(m == NULL);

    crm_clv_config cc = crm_clv_config_default();
    crm_clv *clv = NULL;
    crm_clv_group g;
    cc.duration_years = 2;
    CHECK_OK(crm_clv_new(base, iso("2024-12-31"), &cc, &clv));
    CHECK(crm_clv_group_count(clv, 9) == 0);
    CHECK_FAILS(crm_clv_group_row(clv, 9, 0, &g), CRM_RESULT_INVALID_ARGUMENT, "crm_clv_table");
    CHECK_FAILS(crm_clv_group_row(clv, CRM_CLV_TABLE_PORTFOLIO, 1, &g), CRM_RESULT_OUT_OF_RANGE, "");
    double values[1];
    CHECK_FAILS(crm_clv_copy_clv(clv, values, 1), CRM_RESULT_LENGTH_MISMATCH, "room for 1 values but the result has 2");
    crm_clv_free(clv);

    /* A breakdown by attribute needs a customer table. */
    crm_funnel *f = NULL;
    crm_funnel_result *fr2 = NULL;
    const char *one = "{\"name\": \"f\", \"steps\": [{\"name\": \"buy\", \"event\": {\"type\": \"purchase\"}}]}";
    CHECK_OK(crm_funnel_new_json(one, strlen(one), &f));
    crm_funnel_period p = crm_funnel_period_default();
    p.entry_from = iso("2024-01-01");
    p.entry_to = iso("2024-12-01");
    p.as_of = iso("2024-12-31");
    CHECK_FAILS(crm_funnel_result_new_by_attribute(base, f, &p, "region", 6, &fr2), CRM_RESULT_MISSING_DATA,
                "customer table");
    CHECK_OK(crm_funnel_result_new(base, f, &p, &fr2));
    crm_funnel_step_result step;
    uint64_t hist[CRM_FUNNEL_TIME_BUCKETS], count = 0;
    CHECK_FAILS(crm_funnel_result_step(fr2, 1, 0, &step), CRM_RESULT_OUT_OF_RANGE, "group count");
    CHECK_FAILS(crm_funnel_result_step(fr2, 0, 1, &step), CRM_RESULT_OUT_OF_RANGE, "step count");
    CHECK_FAILS(crm_funnel_result_copy_histogram(fr2, 0, 0, hist, 8), CRM_RESULT_LENGTH_MISMATCH, "has 9");
    CHECK_FAILS(crm_funnel_result_outcome(fr2, 0, 0, 0, NULL, &count), CRM_RESULT_OUT_OF_RANGE, "outcome count");
    crm_funnel_result_free(fr2);
    crm_funnel_free(f);

    crm_process *examples[CRM_PROCESS_EXAMPLES];
    crm_due_actions *a = NULL;
    crm_due_action x;
    crm_kpi_results *k = NULL;
    crm_kpi_result kr;
    CHECK_OK(crm_process_examples(examples, CRM_PROCESS_EXAMPLES));
    CHECK_OK(crm_due_actions_new(base, examples, CRM_PROCESS_EXAMPLES, iso("2024-12-31"), NULL, &a));
    CHECK(crm_due_actions_count(a, 2) == 0);
    CHECK_FAILS(crm_due_actions_at(a, 2, 0, &x), CRM_RESULT_INVALID_ARGUMENT, "crm_action_list");
    CHECK_FAILS(crm_due_actions_at(a, CRM_ACTION_LIST_DUE, 0, &x), CRM_RESULT_OUT_OF_RANGE, "action count has 0");
    CHECK_OK(crm_kpi_results_new(base, examples[1], iso("2024-01-01"), iso("2025-01-01"), iso("2024-12-31"), &k));
    CHECK(crm_kpi_results_count(k) == crm_process_kpi_count(examples[1]));
    CHECK_FAILS(crm_kpi_results_at(k, crm_kpi_results_count(k), &kr), CRM_RESULT_OUT_OF_RANGE, "process's KPI count");
    CHECK_OK(crm_kpi_results_at(k, 0, &kr));
    CHECK(kr.actual.trials == 0 && !kr.met); /* never met without observations */
    crm_kpi_results_free(k);
    crm_due_actions_free(a);
    crm_process_free(examples[0]);
    crm_process_free(examples[1]);

    crm_nps_groups *groups = NULL;
    crm_nps_summary n;
    CHECK_OK(crm_nps_groups_new(base, "nps", 3, iso("2024-01-01"), iso("2025-01-01"), 0.95, NULL, 0, &groups));
    CHECK(crm_nps_groups_count(groups) == 0);
    CHECK_FAILS(crm_nps_groups_find(groups, "all", 3, &n), CRM_RESULT_OUT_OF_RANGE, "no group `all`");
    crm_nps_groups_free(groups);

    /* An empty cohort cannot be fitted: the fit's own code. */
    const double nobody[] = {0.0, 0.0};
    crm_sbg_params sbg = {-1, -1};
    CHECK_FAILS(crm_sbg_fit(nobody, 2, NULL, &sbg, NULL), CRM_RESULT_FIT, "sBG fit failed: no customers to fit");
    CHECK(sbg.alpha == -1);
    CHECK_FAILS(crm_sbg_fit(nobody, 1, NULL, &sbg, NULL), CRM_RESULT_INVALID_CONFIG, "`alive`");
    CHECK(CRM_RESULT_FIT == 19 && strcmp(crm_result_message(CRM_RESULT_FIT), "model fit failed") == 0);
    crm_base_free(base);
}

int main(void) {
    null_pointers_and_neutral_values();
    bad_json_and_toml_name_line_and_column();
    invalid_configs_name_the_field();
    mismatched_lengths();
    invalid_values_and_arguments();
    indices_codes_missing_data_and_failed_fits();
    CHECK_DONE();
}
