/* Customer lifetime value: the formulas, the deck's scenario (+56 %) and CLV per customer,
 * segment, channel and portfolio, with the figures of crm-core/tests/flows.rs. */
#include "fixture.h"

static void clv_formulas_by_hand(void) {
    double v = 0;
    CHECK_OK(crm_simple_clv(5.0, 1000.0, 2.5, &v));
    CHECK(v == 12500.0);
    CHECK_OK(crm_discounted_clv(100.0, 3.0, 0.1, &v));
    CHECK(fabs(v - (100.0 / 1.1 + 100.0 / 1.21 + 100.0 / 1.331)) < 1e-9);
    CHECK_OK(crm_discounted_clv(100.0, 2.5, 0.0, &v));
    CHECK(v == 250.0);
    CHECK_OK(crm_retention_clv(100.0, 0.5, 0.0, &v));
    CHECK(fabs(v - 100.0) < 1e-12);
    CHECK_OK(crm_retention_clv(100.0, 0.8, 0.1, &v));
    CHECK(fabs(v - 80.0 / 0.3) < 1e-9);
    /* +5 % retention (relative) from 0.8 at d = 0.1: 0.84 / 0.26 vs 0.8 / 0.3. */
    crm_retention_sensitivity s;
    CHECK_OK(crm_retention_clv_sensitivity(100.0, 0.8, 0.1, 0.05, true, &s));
    CHECK(fabs(s.retention_after - 0.84) < 1e-12);
    CHECK(fabs(s.change - ((0.84 / 0.26) / (0.8 / 0.3) - 1.0)) < 1e-12);
    /* In points: 0.85 / 0.25 vs 0.8 / 0.3, +27.5 %. */
    CHECK_OK(crm_retention_clv_sensitivity(100.0, 0.8, 0.1, 0.05, false, &s));
    CHECK(fabs(s.change - ((0.85 / 0.25) / (0.8 / 0.3) - 1.0)) < 1e-12);
}

static void deck_scenario_gives_plus_56_percent(void) {
    const crm_scenario before = {830.0, 5.0, 1000.0, 2.5};
    const crm_scenario after = {810.0, 5.9, 1168.0, 2.9};
    crm_scenario_comparison c;
    char text[16];
    CHECK_OK(crm_scenario_compare(&before, &after, &c));
    /* 810 x 5.9 x 1168 x 2.9 / (830 x 5 x 1000 x 2.5) = 16,187,428.8 / 10,375,000 */
    CHECK(fabs(c.change - (16187428.8 / 10375000.0 - 1.0)) < 1e-12);
    snprintf(text, sizeof text, "%.0f", c.change * 100.0);
    CHECK(strcmp(text, "56") == 0);
    CHECK(fabs(c.factors[2] - 1.168) < 1e-12);
    CHECK(fabs(c.factors[0] - 810.0 / 830.0) < 1e-12);
    CHECK(fabs(c.clv_change - (5.9 * 1168.0 * 2.9 / (5.0 * 1000.0 * 2.5) - 1.0)) < 1e-12);
    CHECK(c.before.customers == 830.0 && c.after.duration_years == 2.9);
}

static void clv_per_customer_segment_channel_and_npv(void) {
    /* x: 2 purchases of 100 (margin 40) in the last year, acquisition cost 50 via "web".
     * y: 1 purchase of 300 (margin 90), cost unknown, "fair". z: lost. */
    crm_base_builder *b = builder();
    crm_customer *x = customer("x"), *y = customer("y");
    CHECK_OK(crm_customer_set_acquisition_cost(x, 50.0));
    CHECK_OK(crm_customer_set_text(x, CRM_CUSTOMER_FIELD_ACQUISITION_CHANNEL, "web", 3));
    CHECK_OK(crm_customer_set_text(y, CRM_CUSTOMER_FIELD_ACQUISITION_CHANNEL, "fair", 4));
    add_customer(b, x);
    add_customer(b, y);
    add_customer(b, customer("z"));
    static const char *const ids[] = {"x", "x", "y", "z"};
    static const char *const dates[] = {"2024-06-01", "2024-12-01", "2024-10-01", "2022-01-01"};
    static const double amounts[] = {100, 100, 300, 10};
    static const double margins[] = {40, 40, 90, 1};
    add_tx(b, ids, dates, amounts, margins, 4);
    crm_base *base = build_base(b);

    crm_clv_config cfg = crm_clv_config_default();
    CHECK(isnan(cfg.duration_years) && cfg.discount_rate == 0.1 && !cfg.flows.by_segment);
    cfg.duration_years = 2.0;
    crm_clv *r = NULL;
    CHECK_OK(crm_clv_new(base, iso("2024-12-31"), &cfg, &r));
    CHECK(crm_clv_count(r) == 3 && crm_clv_as_of(r) == iso("2024-12-31"));
    const double ppy_x = 2.0 * 365.25 / 365.0; /* tenure 213 days, floored at a year */
    double dm = 0;
    CHECK_OK(crm_discounted_clv(ppy_x * 40.0, 2.0, 0.1, &dm));
    crm_customer_clv rows[3];
    CHECK_OK(crm_clv_copy_customers(r, rows, 3));
    CHECK(rows[0].customer == 0 && rows[0].in_base);
    CHECK(rows[0].purchases_per_year == ppy_x);
    CHECK(rows[0].clv == ppy_x * 100.0 * 2.0);
    CHECK(fabs(rows[0].discounted_margin - dm) < 1e-9);
    CHECK(fabs(rows[0].npv - (dm - 50.0)) < 1e-9 && rows[0].acquisition_cost == 50.0);
    CHECK(isnan(rows[1].npv) && isnan(rows[1].acquisition_cost));
    CHECK(!rows[2].in_base);
    crm_customer_clv one;
    CHECK_OK(crm_clv_customer_at(r, 1, &one));
    CHECK(one.customer == 1 && one.clv == rows[1].clv);
    double clv[3], npv[3], dmv[3];
    size_t idx[3];
    CHECK_OK(crm_clv_copy_clv(r, clv, 3));
    CHECK_OK(crm_clv_copy_npv(r, npv, 3));
    CHECK_OK(crm_clv_copy_discounted_margin(r, dmv, 3));
    CHECK_OK(crm_clv_copy_customer_index(r, idx, 3));
    CHECK(clv[0] == rows[0].clv && npv[0] == rows[0].npv && isnan(npv[1]) && dmv[1] == rows[1].discounted_margin);
    CHECK(idx[0] == 0 && idx[1] == 1 && idx[2] == 2);

    crm_clv_group g;
    CHECK(crm_clv_group_count(r, CRM_CLV_TABLE_PORTFOLIO) == 1);
    CHECK_OK(crm_clv_group_row(r, CRM_CLV_TABLE_PORTFOLIO, 0, &g));
    CHECK(strcmp(g.group, "portfolio") == 0 && g.customers == 2 && g.with_npv == 1);
    /* Channels in name order: fair, web. */
    CHECK(crm_clv_group_count(r, CRM_CLV_TABLE_CHANNEL) == 2);
    CHECK_OK(crm_clv_group_row(r, CRM_CLV_TABLE_CHANNEL, 1, &g));
    CHECK(strcmp(g.group, "web") == 0 && fabs(g.mean_npv - (dm - 50.0)) < 1e-9);
    CHECK_OK(crm_clv_group_row(r, CRM_CLV_TABLE_CHANNEL, 0, &g));
    CHECK(strcmp(g.group, "fair") == 0 && isnan(g.mean_npv));
    /* Segments (2 ranked, 20 / 50 / 30 -> 0 / 1 / 1): y (300) middle, x (200) bottom. */
    size_t k;
    const uint64_t per_segment[3] = {0, 1, 1};
    CHECK(crm_clv_group_count(r, CRM_CLV_TABLE_SEGMENT) == 3);
    for (k = 0; k < 3; k++) {
        CHECK_OK(crm_clv_group_row(r, CRM_CLV_TABLE_SEGMENT, k, &g));
        CHECK(g.customers == per_segment[k]);
    }
    crm_clv_overview o;
    CHECK_OK(crm_clv_get_overview(r, &o));
    CHECK(o.duration_years == 2.0 && o.discount_rate == 0.1 && o.scenario.customers == 2.0);
    CHECK(o.as_of == iso("2024-12-31"));
    char *json = NULL;
    CHECK_OK(crm_clv_to_json(r, &json, NULL));
    CHECK(json_has(json, "\"customer_ids\":[\"x\",\"y\",\"z\"]"));
    crm_clv_free(r);

    /* Without a duration and without losses in the last year: a clear error. */
    r = NULL;
    CHECK_FAILS(crm_clv_new(base, iso("2024-12-31"), NULL, &r), CRM_RESULT_MISSING_DATA, "give duration_years");
    CHECK(r == NULL);
    crm_base_free(base);
}

int main(void) {
    clv_formulas_by_hand();
    deck_scenario_gives_plus_56_percent();
    clv_per_customer_segment_channel_and_npv();
    CHECK_DONE();
}
