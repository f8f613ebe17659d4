/* The customer-development report on the hand-worked base of crm-core/tests/report.rs, as
 * of 2024-12-31: overview, stages, top customers, flows, CLV left out, undesired flows,
 * Markdown, JSON, HTML and the caveats; a short history that withholds the flows. */
#include "fixture.h"

static crm_base *fixture(void) {
    /* a: 3 purchases (100, 200, 300), active; b: one purchase 50 (starter); c: one purchase
     * 2022 (lost), and one transaction after the as-of date. */
    static const char *const ids[] = {"a", "a", "a", "b", "c", "c"};
    static const char *const dates[] = {"2024-02-01", "2024-06-01", "2024-11-01",
                                        "2024-05-01", "2022-05-01", "2025-01-02"};
    static const double amounts[] = {100, 200, 300, 50, 80, 10};
    crm_base_builder *b = builder();
    add_tx(b, ids, dates, amounts, NULL, 6);
    return build_base(b);
}

static void overview_stages_and_top_customers(crm_report *r) {
    crm_report_overview o;
    CHECK_OK(crm_report_get_overview(r, &o));
    CHECK(o.as_of == iso("2024-12-31") && crm_report_as_of(r) == o.as_of);
    CHECK(o.customers == 3 && o.buyers == 3 && o.transactions == 5 && o.excluded_after_as_of == 1);
    CHECK(o.revenue == 730.0 && o.average_purchase == 730.0 / 5.0 && isnan(o.margin));
    size_t stages[CRM_LIFECYCLE_STAGES];
    CHECK_OK(crm_report_copy_stage_counts(r, stages, CRM_LIFECYCLE_STAGES));
    CHECK(stages[CRM_LIFECYCLE_STAGE_ACTIVE] == 1 && stages[CRM_LIFECYCLE_STAGE_STARTER] == 1);
    CHECK(stages[CRM_LIFECYCLE_STAGE_LOST] == 1);
    /* Ranked in the 365-day window: a (600), b (50); c is inactive. */
    crm_top_customer t;
    CHECK(crm_report_top_customer_count(r) == 2);
    CHECK_OK(crm_report_top_customer_at(r, 0, &t));
    CHECK(strcmp(t.customer, "a") == 0 && t.value == 600.0 && t.stage == CRM_LIFECYCLE_STAGE_ACTIVE && t.rfm > 0);
    CHECK_OK(crm_report_top_customer_at(r, 1, &t));
    CHECK(strcmp(t.customer, "b") == 0 && t.value == 50.0);
    /* The segment tables are the segments' tables. */
    crm_segment_row row;
    CHECK(crm_report_segment_len(r, CRM_SEGMENT_TABLE_VALUE) == 3);
    CHECK(crm_report_segment_len(r, CRM_SEGMENT_TABLE_PYRAMID) == 6);
    CHECK_OK(crm_report_segment_row(r, CRM_SEGMENT_TABLE_PYRAMID, 4, &row));
    CHECK(strcmp(row.segment, "inactive") == 0 && row.customers == 1);
}

static void flows_are_the_last_twelve_months(crm_base *b, crm_report *r) {
    crm_flow_report rf, f;
    crm_flows *flows = NULL;
    CHECK_OK(crm_report_get_flows(r, &rf));
    CHECK_OK(crm_flows_new(b, iso("2024-01-01"), iso("2025-01-01"), NULL, &flows));
    CHECK_OK(crm_flows_report_at(flows, 0, &f));
    CHECK(f.base_at_start == 0 && f.new_customers == 2 && f.lost == 0 && f.base_at_end == 2);
    CHECK(rf.start == f.start && rf.end == f.end && rf.base_at_start == f.base_at_start);
    CHECK(rf.new_customers == f.new_customers && rf.lost == f.lost && rf.base_at_end == f.base_at_end);
    CHECK(rf.new_value.revenue == f.new_value.revenue && rf.new_starters == f.new_starters);
    crm_flows_free(flows);
}

static void clv_left_out_and_undesired_flows(crm_report *r) {
    /* No loss in the year and a retention of 1 (empty base at start): no CLV duration. */
    crm_clv_group g;
    CHECK(!crm_report_has_clv(r));
    CHECK(crm_report_clv_group_count(r, CRM_CLV_TABLE_PORTFOLIO) == 0);
    CHECK_FAILS(crm_report_clv_group_row(r, CRM_CLV_TABLE_PORTFOLIO, 0, &g), CRM_RESULT_MISSING_DATA,
                "no CLV section");
    /* The starter b (50) is an undesired flow. */
    size_t i, found = 0;
    for (i = 0; i < crm_report_undesired_flow_count(r); i++) {
        crm_undesired_flow u;
        CHECK_OK(crm_report_undesired_flow_at(r, i, &u));
        if (strncmp(u.flow, "still a starter", 15) == 0 && u.customers == 1 && u.revenue == 50.0) found++;
    }
    CHECK(found == 1);
}

static void markdown_and_json(crm_report *r) {
    char *md = NULL, *json = NULL;
    size_t len = 0;
    CHECK_OK(crm_report_to_markdown(r, &md, &len));
    CHECK(len == strlen(md));
    CHECK(strstr(md, "# Customer development report as of 2024-12-31") != NULL);
    CHECK(strstr(md, "| buyers | 3 |") != NULL);
    CHECK(strstr(md, "| top |") != NULL);
    crm_string_free(md);
    CHECK_OK(crm_report_to_json(r, &json, NULL));
    CHECK(strstr(json, "\"overview\"") != NULL);
    CHECK(json_has(json, "\"revenue\": 730.0"));
}

static void html_and_caveats(crm_report *r) {
    char *html = NULL;
    size_t len = 0;
    CHECK_OK(crm_report_to_html(r, &html, &len));
    CHECK(len == strlen(html));
    CHECK(strncmp(html, "<!DOCTYPE html>", 15) == 0);
    CHECK(strstr(html, "id=\"chart-pareto\"") != NULL && strstr(html, "id=\"chart-waterfall\"") != NULL);
    CHECK(strstr(html, "<script") == NULL);
    crm_string_free(html);
    CHECK_OK(crm_report_to_html(r, &html, NULL));
    crm_string_free(html);
    /* History from 2022-05-01: the 2024 flows are measurable, but nobody was lost in 2024:
     * no average duration, hence no CLV; both withheld with a reason. */
    crm_report_caveat c;
    CHECK(crm_report_caveat_count(r) == 2 && crm_report_caveat_count(NULL) == 0);
    CHECK_OK(crm_report_caveat_at(r, 0, &c));
    CHECK(c.withheld && strcmp(c.figure, "average duration") == 0 && strstr(c.reason, "nobody was lost") != NULL);
    CHECK_OK(crm_report_caveat_at(r, 1, &c));
    CHECK(c.withheld && strncmp(c.figure, "customer lifetime value", 23) == 0);
    CHECK_FAILS(crm_report_caveat_at(r, 2, &c), CRM_RESULT_OUT_OF_RANGE, "caveat count");
    CHECK_FAILS(crm_report_to_html(NULL, &html, NULL), CRM_RESULT_NULL_PARAMETER, "report");
}

static void a_short_history_withholds_the_flows(void) {
    /* One year of history (2024): the flows of 2024 would need history from 2023-01-01. */
    static const char *const ids[] = {"x", "x", "y"};
    static const char *const dates[] = {"2024-01-10", "2024-06-01", "2024-03-01"};
    static const double amounts[] = {10, 20, 30};
    crm_base_builder *b = builder();
    add_tx(b, ids, dates, amounts, NULL, 3);
    crm_base *base = build_base(b);
    crm_report *r = NULL;
    CHECK_OK(crm_report_new(base, iso("2024-12-31"), NULL, &r));
    crm_flow_report f;
    CHECK_FAILS(crm_report_get_flows(r, &f), CRM_RESULT_MISSING_DATA, "not measurable");
    CHECK(!crm_report_has_clv(r));
    crm_report_caveat c;
    /* 357 days of history: "lost" cannot be told either (365-day inactivity window). */
    CHECK(crm_report_caveat_count(r) == 4);
    CHECK_OK(crm_report_caveat_at(r, 0, &c));
    CHECK(c.withheld && strncmp(c.figure, "lifecycle stages lost", 21) == 0 && strstr(c.reason, "357 days") != NULL);
    CHECK_OK(crm_report_caveat_at(r, 1, &c));
    CHECK(c.withheld && strncmp(c.figure, "customer flows", 14) == 0);
    CHECK(strstr(c.reason, "the history starts 2024-01-10") != NULL && strstr(c.reason, "2023-01-01") != NULL);
    char *json = NULL;
    CHECK_OK(crm_report_to_json(r, &json, NULL));
    CHECK(strstr(json, "\"flows\": null") != NULL && strstr(json, "\"caveats\": [") != NULL);
    CHECK(strstr(json, "\"pareto_revenue\"") != NULL && strstr(json, "\"cohorts\"") != NULL);
    CHECK(json_has(json, "\"returns\""));
    crm_report_free(r);
    crm_base_free(base);
}

static void a_report_with_clv(void) {
    /* The ERP export: losses in the last year give a duration, so the report has CLV. */
    crm_base_builder *b = builder();
    crm_transaction_csv spec = crm_transaction_csv_default();
    spec.margin_column = str("margin");
    CHECK_OK(crm_base_builder_add_customers_csv(b, "../data/c_erp_customers.csv", 27, NULL, NULL));
    CHECK_OK(crm_base_builder_add_transactions_csv(b, "../data/c_erp_transactions.csv", 30, &spec, NULL));
    crm_base *base = build_base(b);
    crm_report_config cfg = crm_report_config_default();
    CHECK(cfg.top_customers == 10 && isnan(cfg.clv.duration_years) && cfg.lifecycle.inactivity_days == 365);
    cfg.top_customers = 3;
    crm_report *r = NULL;
    CHECK_OK(crm_report_new(base, iso("2024-12-31"), &cfg, &r));
    CHECK(crm_report_top_customer_count(r) == 3);
    CHECK(crm_report_has_clv(r));
    crm_clv_group g;
    CHECK_OK(crm_report_clv_group_row(r, CRM_CLV_TABLE_PORTFOLIO, 0, &g));
    crm_flow_report f;
    CHECK_OK(crm_report_get_flows(r, &f));
    CHECK(strcmp(g.group, "portfolio") == 0 && g.customers == f.base_at_end && g.clv > 0.0);
    crm_report_overview o;
    CHECK_OK(crm_report_get_overview(r, &o));
    CHECK(o.customers == 13 && o.margin > 0.0);
    crm_report_free(r);
    crm_base_free(base);
}

int main(void) {
    crm_base *b = fixture();
    crm_report *r = NULL;
    CHECK_OK(crm_report_new(b, iso("2024-12-31"), NULL, &r));
    overview_stages_and_top_customers(r);
    flows_are_the_last_twelve_months(b, r);
    clv_left_out_and_undesired_flows(r);
    markdown_and_json(r);
    html_and_caveats(r);
    crm_base_free(b); /* the report keeps what it needs */
    CHECK(crm_report_top_customer_count(r) == 2);
    crm_report_free(r);
    a_report_with_clv();
    a_short_history_withholds_the_flows();
    CHECK_DONE();
}
