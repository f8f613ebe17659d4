/* Customer flows and migration: the hand-worked fixtures of crm-core/tests/flows.rs (period
 * 2024, inactivity 365 days), with the same figures. */
#include "fixture.h"

static crm_base *fixture(void) {
    static const char *const ids[] = {"stay", "stay", "lost", "new_a", "new_a", "new_s",
                                      "wb",   "wb",   "lapse", "lapse", "gone"};
    static const char *const dates[] = {"2023-06-01", "2024-03-01", "2023-03-01", "2024-02-01",
                                        "2024-05-01", "2024-09-01", "2022-01-01", "2024-06-01",
                                        "2023-01-15", "2024-06-01", "2021-01-01"};
    static const double amounts[] = {10, 20, 30, 40, 50, 60, 5, 80, 7, 70, 3};
    crm_base_builder *b = builder();
    add_tx(b, ids, dates, amounts, NULL, 11);
    return build_base(b);
}

static void every_flow_by_hand(void) {
    crm_base *b = fixture();
    crm_flows *flows = NULL;
    crm_flow_report f;
    CHECK_OK(crm_flows_new(b, iso("2024-01-01"), iso("2025-01-01"), NULL, &flows));
    CHECK(crm_flows_count(flows) == 1);
    CHECK_OK(crm_flows_report_at(flows, 0, &f));
    CHECK(f.start == iso("2024-01-01") && f.end == iso("2025-01-01"));
    /* In at the start: stay, lost, lapse. In at the end: stay, new_a, new_s, wb, lapse. */
    CHECK(f.base_at_start == 3 && f.new_customers == 2 && f.won_back == 1 && f.lost == 1 && f.base_at_end == 5);
    CHECK(crm_flow_report_balances(&f));
    CHECK(f.new_active == 1 && f.new_starters == 1);
    CHECK(f.lost_and_won_back == 1 && f.new_and_lost == 0 && f.won_back_and_lost == 0);
    CHECK_NEAR(f.churn_rate, 1.0 / 3.0);
    CHECK_NEAR(f.retention_rate, 2.0 / 3.0);
    /* Average base (3 + 5) / 2 = 4; one loss in 366 days. */
    CHECK_NEAR(f.duration_years, 4.0 / (365.25 / 366.0));
    CHECK(f.new_value.revenue == 150.0 && f.won_back_value.revenue == 80.0);
    CHECK(f.lost_value.revenue == 30.0 && f.stayed_value.revenue == 90.0);
    CHECK(f.new_value.margin == 0.0);

    /* Segments at the start: lost 30 top, stay 10 middle, lapse 7 bottom. At the end (1 / 3 /
     * 1): new_a top; wb, lapse, new_s middle; stay bottom. */
    crm_segment_flows s[4];
    size_t k;
    CHECK(crm_flows_segment_len(flows) == 4);
    for (k = 0; k < 4; k++) CHECK_OK(crm_flows_segment_row(flows, 0, k, &s[k]));
    CHECK(strcmp(s[0].segment, "top") == 0 && strcmp(s[3].segment, "unranked") == 0);
    CHECK(s[0].base_at_start == 1 && s[0].lost == 1 && s[1].base_at_start == 1 && s[1].lost == 0);
    CHECK(s[2].base_at_start == 1);
    CHECK(s[0].base_at_end == 1 && s[0].new_customers == 1);
    CHECK(s[1].base_at_end == 3 && s[1].new_customers == 1 && s[1].won_back == 1);
    CHECK(s[2].base_at_end == 1 && s[2].new_customers == 0 && s[2].won_back == 0);

    char *json = NULL;
    size_t len = 0;
    CHECK_OK(crm_flows_to_json(flows, &json, &len));
    CHECK(len == strlen(json));
    CHECK(json_has(json, "\"base_at_start\":3"));
    crm_flows_free(flows);
    crm_base_free(b);
}

static void churned_and_returned_inside_a_long_period_are_shown_apart(void) {
    static const char *const ids[] = {"wbl", "wbl", "nl"};
    static const char *const dates[] = {"2021-01-01", "2023-02-01", "2023-03-01"};
    static const double amounts[] = {1, 1, 1};
    crm_base_builder *bb = builder();
    add_tx(bb, ids, dates, amounts, NULL, 3);
    crm_base *b = build_base(bb);
    crm_flows *flows = NULL;
    crm_flow_report f;
    CHECK_OK(crm_flows_new(b, iso("2023-01-01"), iso("2025-01-01"), NULL, &flows));
    CHECK_OK(crm_flows_report_at(flows, 0, &f));
    CHECK(f.base_at_start == 0 && f.new_customers == 0 && f.won_back == 0 && f.lost == 0 && f.base_at_end == 0);
    CHECK(f.new_and_lost == 1 && f.won_back_and_lost == 1);
    CHECK(isnan(f.churn_rate) && isnan(f.duration_years));
    crm_flows_free(flows);
    crm_base_free(b);
}

static void deck_example_duration(void) {
    /* Deck 001: base 2200, 700 lost a year -> 3.1 years. */
    double d = 0;
    char text[16];
    CHECK_OK(crm_average_duration(2200.0, 700.0, 365.25, &d));
    snprintf(text, sizeof text, "%.1f", d);
    CHECK(strcmp(text, "3.1") == 0);
    CHECK_OK(crm_average_duration(100.0, 0.0, 365.0, &d));
    CHECK(isnan(d));
}

static void a_monthly_series_chains_and_balances(void) {
    crm_base *b = fixture();
    crm_flow_config cfg = crm_flow_config_default();
    CHECK(cfg.inactivity_days == 365 && cfg.duration_base == CRM_DURATION_BASE_AVERAGE && cfg.by_segment);
    cfg.by_segment = false;
    crm_flows *series = NULL, *year = NULL, *empty = NULL;
    crm_flow_report months[12], y;
    size_t k;
    uint64_t lost = 0, won_back = 0;
    CHECK_OK(crm_flows_new_series(b, iso("2024-01-01"), CRM_PERIOD_MONTH, 12, &cfg, &series));
    CHECK(crm_flows_count(series) == 12 && crm_flows_segment_len(series) == 0);
    CHECK_OK(crm_flows_copy_reports(series, months, 12));
    CHECK(months[1].start == iso("2024-02-01"));
    for (k = 0; k < 12; k++) {
        CHECK(crm_flow_report_balances(&months[k]));
        if (k > 0) CHECK(months[k - 1].base_at_end == months[k].base_at_start);
        lost += months[k].lost;
        won_back += months[k].won_back;
    }
    CHECK_OK(crm_flows_new(b, iso("2024-01-01"), iso("2025-01-01"), &cfg, &year));
    CHECK_OK(crm_flows_report_at(year, 0, &y));
    CHECK(months[0].base_at_start == y.base_at_start && months[11].base_at_end == y.base_at_end);
    /* lapse is lost in January and won back in June: two flows by month, none by year. */
    CHECK(lost == 2 && won_back == 2);
    CHECK_FAILS(crm_flows_new(b, iso("2024-01-01"), iso("2024-01-01"), &cfg, &empty), CRM_RESULT_INVALID_CONFIG,
                "is not after");
    CHECK(empty == NULL);
    crm_flows_free(series);
    crm_flows_free(year);
    crm_base_free(b);
}

static void segment_migration_by_hand(void) {
    crm_base *b = fixture();
    crm_migration *m = NULL;
    CHECK_OK(crm_migration_new_segments(b, iso("2023-12-31"), iso("2024-12-31"), NULL, &m));
    CHECK(crm_migration_state_count(m) == 5);
    CHECK(crm_migration_from_date(m) == iso("2023-12-31") && crm_migration_to_date(m) == iso("2024-12-31"));
    const char *const states[] = {"not_yet_customer", "top", "middle", "bottom", "lost"};
    size_t i, j;
    for (i = 0; i < 5; i++) {
        const char *name = NULL;
        CHECK_OK(crm_migration_state_name(m, i, &name));
        CHECK(strcmp(name, states[i]) == 0);
    }
    const uint64_t expected[25] = {
        0, 1, 1, 0, 0, /* new_a -> top, new_s -> middle */
        0, 0, 0, 0, 1, /* lost */
        0, 0, 0, 1, 0, /* stay: middle -> bottom */
        0, 0, 1, 0, 0, /* lapse: bottom -> middle */
        0, 0, 1, 0, 1, /* wb -> middle, gone stays lost */
    };
    uint64_t counts[25], at_to[5];
    double rates[25], value[5];
    CHECK_OK(crm_migration_copy_counts(m, counts, 25));
    CHECK(memcmp(counts, expected, sizeof counts) == 0);
    CHECK_OK(crm_migration_copy_rates(m, rates, 25));
    CHECK(rates[0] == 0.0 && rates[1] == 0.5 && rates[2] == 0.5 && rates[3] == 0.0 && rates[4] == 0.0);
    CHECK(rates[4 * 5 + 4] == 0.5);
    CHECK_OK(crm_migration_copy_state_value(m, value, 5));
    CHECK(value[0] == 0.0 && value[1] == 90.0 && value[2] == 70.0 && value[3] == 20.0 && value[4] == 0.0);
    /* Projection preserves the total. */
    double start[5], p[4 * 5];
    CHECK_OK(crm_migration_copy_at_to(m, at_to, 5));
    for (i = 0; i < 5; i++) start[i] = (double)at_to[i];
    CHECK_OK(crm_migration_project(m, start, 5, 3, p, 20));
    for (i = 0; i < 4; i++) {
        double total = 0;
        for (j = 0; j < 5; j++) total += p[i * 5 + j];
        CHECK(fabs(total - 7.0) < 1e-12);
    }
    for (j = 0; j < 5; j++) CHECK(p[j] == start[j]);
    char *json = NULL;
    CHECK_OK(crm_migration_to_json(m, &json, NULL));
    CHECK(json_has(json, "\"states\":[\"not_yet_customer\",\"top\""));
    crm_migration_free(m);

    CHECK_OK(crm_migration_new_lifecycle(b, iso("2023-12-31"), iso("2024-12-31"), NULL, &m));
    uint64_t lc[64], total = 0;
    double lr[64];
    CHECK(crm_migration_state_count(m) == 8);
    CHECK_OK(crm_migration_copy_counts(m, lc, 64));
    CHECK_OK(crm_migration_copy_rates(m, lr, 64));
    for (i = 0; i < 64; i++) total += lc[i];
    CHECK(total == 7);
    for (i = 0; i < 8; i++) {
        double row = 0;
        for (j = 0; j < 8; j++) row += lr[i * 8 + j];
        CHECK(fabs(row - 1.0) < 1e-12);
    }
    crm_migration_free(m);
    crm_base_free(b);
}

static void pfeifer_carraway_value_from_rates(void) {
    /* Two states: active (margin 100) and lost (absorbing); retention 0.8, d = 0.1:
     * V = R (1 + d) / (1 + d - r) = 100 x 1.1 / 0.3. */
    const crm_str states[] = {str("active"), str("lost")};
    const double rates[] = {0.8, 0.2, 0.0, 1.0};
    const double margin[] = {100.0, 0.0};
    double v[2];
    crm_migration *m = NULL;
    CHECK_OK(crm_migration_from_rates(states, 2, rates, 4, &m));
    CHECK_OK(crm_migration_customer_value(m, margin, 2, 0.1, v, 2));
    CHECK(fabs(v[0] - 110.0 / 0.3) < 1e-9 && fabs(v[1]) < 1e-12);
    crm_migration_free(m);
}

int main(void) {
    every_flow_by_hand();
    churned_and_returned_inside_a_long_period_are_shown_apart();
    deck_example_duration();
    a_monthly_series_chains_and_balances();
    segment_migration_by_hand();
    pfeifer_carraway_value_from_rates();
    CHECK_DONE();
}
