/* A C host distributing the customer-development report: 300 generated customers
 * (amounts in steps of 50 with refunds, so customers tie on value across tasks) dealt
 * over three tasks by number; scans, context, tie ids, partials, all as bytes; the
 * finished report equals the single-machine report of the whole base figure for figure
 * (counts exactly, money to 1e-9), and renders the same way, share of wallet included
 * (the tasks have no customer tables: every wallet is the whole base's quantile). */
#include <stdlib.h>
#include <string.h>
#include "tied_base.h"

/* The report over the tasks, through the five calls of a host. */
static crm_report *distributed(crm_base **tasks, int32_t as_of, const crm_report_config *config) {
    crm_bytes *scans[TASKS], *ids[TASKS], *parts[TASKS], *context = NULL, *resolved = NULL;
    crm_buf bufs[TASKS], ctx;
    crm_report *r = NULL;
    bool needs_ids = false;
    size_t t;
    for (t = 0; t < TASKS; t++) {
        CHECK_OK(crm_report_scan(tasks[t], as_of, config, &scans[t]));
        bufs[t] = buf(scans[t]);
    }
    CHECK_OK(crm_report_context(bufs, TASKS, as_of, config, &context, &needs_ids));
    ctx = buf(context);
    if (needs_ids) {
        CHECK_FAILS(crm_report_partial(ctx, tasks[0], &parts[0]), CRM_RESULT_INVALID_CONFIG, "resolve");
        for (t = 0; t < TASKS; t++) {
            CHECK_OK(crm_report_tie_ids(ctx, tasks[t], &ids[t]));
            bufs[t] = buf(ids[t]);
        }
        CHECK_OK(crm_report_resolve(ctx, bufs, TASKS, &resolved));
        ctx = buf(resolved);
        for (t = 0; t < TASKS; t++) crm_bytes_free(ids[t]);
    }
    for (t = 0; t < TASKS; t++) {
        CHECK_OK(crm_report_partial(ctx, tasks[t], &parts[t]));
        bufs[t] = buf(parts[t]);
    }
    CHECK_OK(crm_report_finish(ctx, bufs, TASKS, &r));
    for (t = 0; t < TASKS; t++) {
        crm_bytes_free(scans[t]);
        crm_bytes_free(parts[t]);
    }
    crm_bytes_free(context);
    crm_bytes_free(resolved);
    return r;
}

static void same_tables(const crm_report *got, const crm_report *want) {
    uint8_t table;
    size_t k;
    for (table = 0; table < 3; table++) {
        CHECK(crm_report_segment_len(got, table) == crm_report_segment_len(want, table));
        for (k = 0; k < crm_report_segment_len(want, table); k++) {
            crm_segment_row g, w;
            CHECK_OK(crm_report_segment_row(got, table, k, &g));
            CHECK_OK(crm_report_segment_row(want, table, k, &w));
            CHECK(strcmp(g.segment, w.segment) == 0 && g.customers == w.customers);
            CHECK_NEAR(g.revenue, w.revenue);
            CHECK_NEAR(g.revenue_share, w.revenue_share);
        }
    }
    for (table = 0; table < 3; table++) {
        CHECK(crm_report_clv_group_count(got, table) == crm_report_clv_group_count(want, table));
        for (k = 0; k < crm_report_clv_group_count(want, table); k++) {
            crm_clv_group g, w;
            CHECK_OK(crm_report_clv_group_row(got, table, k, &g));
            CHECK_OK(crm_report_clv_group_row(want, table, k, &w));
            CHECK(strcmp(g.group, w.group) == 0 && g.customers == w.customers);
            CHECK_NEAR(g.clv, w.clv);
            CHECK_NEAR(g.mean_clv, w.mean_clv);
        }
    }
}

static void same_report(const crm_report *got, const crm_report *want) {
    crm_report_overview g, w;
    crm_flow_report fg, fw;
    size_t sg[CRM_LIFECYCLE_STAGES], sw[CRM_LIFECYCLE_STAGES], k;
    CHECK_OK(crm_report_get_overview(got, &g));
    CHECK_OK(crm_report_get_overview(want, &w));
    CHECK(g.as_of == w.as_of && g.customers == w.customers && g.buyers == w.buyers);
    CHECK(g.transactions == w.transactions && g.excluded_after_as_of == w.excluded_after_as_of);
    CHECK_NEAR(g.revenue, w.revenue);
    CHECK_NEAR(g.purchases_per_year, w.purchases_per_year);
    CHECK_NEAR(g.average_purchase, w.average_purchase);
    CHECK_OK(crm_report_copy_stage_counts(got, sg, CRM_LIFECYCLE_STAGES));
    CHECK_OK(crm_report_copy_stage_counts(want, sw, CRM_LIFECYCLE_STAGES));
    CHECK(memcmp(sg, sw, sizeof sg) == 0);
    CHECK(crm_report_get_flows(got, &fg) == crm_report_get_flows(want, &fw));
    if (crm_report_get_flows(want, &fw) == CRM_RESULT_OK) {
        CHECK(fg.base_at_start == fw.base_at_start && fg.new_customers == fw.new_customers);
        CHECK(fg.lost == fw.lost && fg.base_at_end == fw.base_at_end);
        CHECK_NEAR(fg.new_value.revenue, fw.new_value.revenue);
    }
    same_tables(got, want);
    CHECK(crm_report_has_clv(got) == crm_report_has_clv(want));
    CHECK(crm_report_top_customer_count(got) == crm_report_top_customer_count(want));
    for (k = 0; k < crm_report_top_customer_count(want); k++) {
        crm_top_customer a, b;
        CHECK_OK(crm_report_top_customer_at(got, k, &a));
        CHECK_OK(crm_report_top_customer_at(want, k, &b));
        CHECK(strcmp(a.customer, b.customer) == 0 && a.value == b.value && a.stage == b.stage && a.rfm == b.rfm);
    }
    CHECK(crm_report_undesired_flow_count(got) == crm_report_undesired_flow_count(want));
    for (k = 0; k < crm_report_undesired_flow_count(want); k++) {
        crm_undesired_flow a, b;
        CHECK_OK(crm_report_undesired_flow_at(got, k, &a));
        CHECK_OK(crm_report_undesired_flow_at(want, k, &b));
        CHECK(strcmp(a.flow, b.flow) == 0 && a.customers == b.customers);
        CHECK_NEAR(a.revenue, b.revenue);
    }
    /* The same caveats: the tasks have no customer tables, so the cluster's wallets come
     * from the whole base's quantile, as on one machine. */
    CHECK(crm_report_caveat_count(got) == crm_report_caveat_count(want));
    for (k = 0; k < crm_report_caveat_count(want); k++) {
        crm_report_caveat a, b;
        CHECK_OK(crm_report_caveat_at(got, k, &a));
        CHECK_OK(crm_report_caveat_at(want, k, &b));
        CHECK(strcmp(a.figure, b.figure) == 0 && strcmp(a.reason, b.reason) == 0 && a.withheld == b.withheld);
    }
}

int main(void) {
    crm_base *whole = build(TASKS), *tasks[TASKS];
    crm_report_config config = crm_report_config_default();
    const int32_t dates[2] = {day(2025, 6, 30), day(2022, 9, 30)};
    size_t t, d;
    for (t = 0; t < TASKS; t++) tasks[t] = build((int)t);
    config.top_customers = 15;
    /* Mid-2025 every section is measurable; in 2022 the history is too short for flows,
     * migration and CLV, and both withhold them with the same reasons. */
    for (d = 0; d < 2; d++) {
        crm_report *want = NULL, *got = distributed(tasks, dates[d], &config);
        char *md = NULL, *want_md = NULL, *html = NULL;
        CHECK_OK(crm_report_new(whole, dates[d], &config, &want));
        same_report(got, want);
        CHECK(crm_report_has_clv(want) == (d == 0));
        CHECK(crm_report_top_customer_count(want) == 15);
        CHECK_OK(crm_report_to_markdown(got, &md, NULL));
        CHECK_OK(crm_report_to_markdown(want, &want_md, NULL));
        /* Rendered the same way, wallet section and work list included. */
        CHECK(strstr(md, "| top |") != NULL && strstr(md, "allet") != NULL && strcmp(md, want_md) == 0);
        CHECK_OK(crm_report_to_html(got, &html, NULL));
        CHECK(strstr(html, "<svg") != NULL);
        crm_string_free(md);
        crm_string_free(want_md);
        crm_string_free(html);
        crm_report_free(got);
        crm_report_free(want);
    }
    /* Bad bytes and days are errors naming what is wrong. */
    {
        crm_buf junk = {(const uint8_t *)"CRMX\001{", 6};
        crm_bytes *out = NULL;
        crm_report *r = NULL;
        bool needs = false;
        CHECK_FAILS(crm_report_partial(junk, tasks[0], &out), CRM_RESULT_INVALID_CONFIG, "report context");
        CHECK_FAILS(crm_report_finish(junk, NULL, 0, &r), CRM_RESULT_INVALID_CONFIG, "report context");
        CHECK_FAILS(crm_report_context(&junk, 1, dates[0], NULL, &out, &needs), CRM_RESULT_INVALID_CONFIG, "report scan");
        CHECK_FAILS(crm_report_scan(tasks[0], CRM_NO_DATE, NULL, &out), CRM_RESULT_INVALID_ARGUMENT, "as_of");
    }
    for (t = 0; t < TASKS; t++) crm_base_free(tasks[t]);
    crm_base_free(whole);
    CHECK_DONE();
}
