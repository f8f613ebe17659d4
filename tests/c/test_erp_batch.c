/* A nightly ERP batch: load the customer and transaction exports (CSV), run the
 * customer-development report (with the summary, lifecycle stages and value segments) as of
 * 2024-12-31, and print its segment table, flows, CLV and undesired flows. Run from tests/c
 * (the fixtures are tests/data/c_erp_*.csv). */
#include <stdio.h>
#include <string.h>

#include "crm.h"

/* Stops the batch with the library's explanation. */
static int fail(const char *what, crm_result rc) {
    fprintf(stderr, "%s failed: %s: %s\n", what, crm_result_message(rc), crm_last_error_detail());
    return 1;
}

#define TRY(what, call)                          \
    do {                                         \
        crm_result rc_ = (call);                 \
        if (rc_ != CRM_RESULT_OK) return fail(what, rc_); \
    } while (0)

static int checks_failed = 0;
#define EXPECT(cond)                                                        \
    do {                                                                    \
        if (!(cond)) {                                                      \
            fprintf(stderr, "%s:%d: expected %s\n", __FILE__, __LINE__, #cond); \
            checks_failed++;                                                \
        }                                                                   \
    } while (0)

/* Prints the report's headline figures and its value segment table. */
static int print_report(const crm_report *report) {
    crm_report_overview o;
    crm_flow_report f;
    size_t i;
    TRY("overview", crm_report_get_overview(report, &o));
    TRY("flows", crm_report_get_flows(report, &f));
    printf("%zu customers, %zu buyers, %zu transactions (%zu after the as-of date left out), revenue %.2f, "
           "margin %.2f\n\n",
           o.customers, o.buyers, o.transactions, o.excluded_after_as_of, o.revenue, o.margin);

    printf("%-8s %9s %6s %10s %6s %10s %6s\n", "segment", "customers", "share", "revenue", "share", "profit",
           "share");
    for (i = 0; i < crm_report_segment_len(report, CRM_SEGMENT_TABLE_VALUE); i++) {
        crm_segment_row r;
        TRY("segment row", crm_report_segment_row(report, CRM_SEGMENT_TABLE_VALUE, i, &r));
        printf("%-8s %9zu %5.0f%% %10.2f %5.1f%% %10.2f %5.1f%%\n", r.segment, r.customers, 100 * r.customer_share,
               r.revenue, 100 * r.revenue_share, r.profit, 100 * r.profit_share);
    }

    printf("\nFlows, last twelve months: %llu at start + %llu new + %llu won back - %llu lost = %llu at end "
           "(churn %.1f%%, duration %.1f years)\n",
           (unsigned long long)f.base_at_start, (unsigned long long)f.new_customers, (unsigned long long)f.won_back,
           (unsigned long long)f.lost, (unsigned long long)f.base_at_end, 100 * f.churn_rate, f.duration_years);
    if (crm_report_has_clv(report)) {
        crm_clv_group g;
        TRY("CLV", crm_report_clv_group_row(report, CRM_CLV_TABLE_PORTFOLIO, 0, &g));
        printf("CLV: %llu customers in the base, lifetime revenue %.0f (%.0f per customer)\n",
               (unsigned long long)g.customers, g.clv, g.mean_clv);
    }
    printf("Biggest undesired flows:\n");
    for (i = 0; i < crm_report_undesired_flow_count(report); i++) {
        crm_undesired_flow u;
        TRY("undesired flow", crm_report_undesired_flow_at(report, i, &u));
        printf("  %-45s %3llu customers, %10.2f at stake\n", u.flow, (unsigned long long)u.customers, u.revenue);
    }
    EXPECT(o.customers == 13 && o.buyers == 11 && o.excluded_after_as_of == 1 && o.revenue == 30500.0);
    EXPECT(crm_flow_report_balances(&f));
    return 0;
}

static int run(crm_base *base, int32_t as_of) {
    crm_summary *summary = NULL;
    crm_lifecycle *lifecycle = NULL;
    crm_segments *segments = NULL;
    crm_report *report = NULL;
    size_t i, n = crm_base_customer_count(base);
    TRY("summary", crm_summary_new(base, as_of, NULL, &summary));
    TRY("lifecycle", crm_lifecycle_new(base, as_of, NULL, &lifecycle));
    TRY("segments", crm_segments_new(base, as_of, NULL, &segments));
    TRY("report", crm_report_new(base, as_of, NULL, &report));

    printf("%zu customers, %zu transactions (%zu after the as-of date left out)\n\n", n,
           crm_base_transaction_count(base), crm_summary_excluded_after_as_of(summary));

    size_t counts[CRM_LIFECYCLE_STAGES], report_counts[CRM_LIFECYCLE_STAGES];
    TRY("stage counts", crm_lifecycle_copy_counts(lifecycle, counts, CRM_LIFECYCLE_STAGES));
    TRY("report stage counts", crm_report_copy_stage_counts(report, report_counts, CRM_LIFECYCLE_STAGES));
    printf("Lifecycle:");
    for (i = 0; i < CRM_LIFECYCLE_STAGES; i++) printf(" %s %zu", crm_lifecycle_stage_name((uint8_t)i), counts[i]);
    printf("\n\n");
    EXPECT(memcmp(counts, report_counts, sizeof counts) == 0);

    if (print_report(report) != 0) return 1;

    printf("\nTop customers:\n");
    for (i = 0; i < n; i++) {
        crm_segment_customer c;
        crm_summary_row s;
        crm_lifecycle_stage stage;
        int64_t id;
        const char *name;
        size_t name_len;
        TRY("segment data", crm_segments_customer_at(segments, i, &c));
        if (c.segment != CRM_VALUE_SEGMENT_TOP) continue;
        TRY("summary row", crm_summary_row_at(summary, i, &s));
        TRY("stage", crm_lifecycle_stage_at(lifecycle, i, &stage));
        TRY("id", crm_base_customer_id_int(base, i, &id));
        TRY("name", crm_base_customer_text(base, i, CRM_CUSTOMER_FIELD_NAME, &name, &name_len));
        printf("  %lld %-16.*s rank %lld, %u purchases, revenue %.2f, RFM %u, %s\n", (long long)id, (int)name_len,
               name, (long long)c.rank, s.purchases, s.revenue, s.rfm_code, crm_lifecycle_stage_name(stage));
    }

    /* The figures worked out by hand for this fixture. */
    const size_t stages[CRM_LIFECYCLE_STAGES] = {2, 2, 2, 3, 1, 1, 1, 1};
    for (i = 0; i < CRM_LIFECYCLE_STAGES; i++) EXPECT(counts[i] == stages[i]);
    const size_t customers[3] = {2, 5, 3};
    const double revenue[3] = {9000.0, 10000.0, 1000.0};
    const double profit[3] = {2700.0, 2700.0, 270.0};
    for (i = 0; i < 3; i++) {
        crm_segment_row r, rr;
        TRY("segment row", crm_segments_table_row(segments, CRM_SEGMENT_TABLE_VALUE, i, &r));
        EXPECT(r.customers == customers[i] && r.revenue == revenue[i] && r.profit == profit[i]);
        EXPECT(r.revenue_share == revenue[i] / 20000.0);
        TRY("report segment row", crm_report_segment_row(report, CRM_SEGMENT_TABLE_VALUE, i, &rr));
        EXPECT(strcmp(r.segment, rr.segment) == 0 && rr.customers == r.customers && rr.revenue == r.revenue);
        EXPECT(rr.profit == r.profit && rr.customer_share == r.customer_share);
    }
    size_t index = 0;
    crm_summary_row s;
    TRY("lookup", crm_base_index_of_int(base, 1001, &index));
    TRY("summary row", crm_summary_row_at(summary, index, &s));
    EXPECT(s.purchases == 4 && s.revenue == 7000.0 && s.margin == 2100.0 && s.recency_days == 30);
    EXPECT(crm_summary_excluded_after_as_of(summary) == 1);

    crm_report_free(report);
    crm_segments_free(segments);
    crm_lifecycle_free(lifecycle);
    crm_summary_free(summary);
    return 0;
}

int main(void) {
    crm_base_builder *builder = NULL;
    crm_base *base = NULL;
    crm_transaction_csv spec = crm_transaction_csv_default();
    const char *customers = "../data/c_erp_customers.csv";
    const char *transactions = "../data/c_erp_transactions.csv";
    int32_t as_of = 0;
    int rc;

    spec.margin_column.data = "margin";
    spec.margin_column.len = strlen("margin");
    TRY("date", crm_date_from_ymd(2024, 12, 31, &as_of));
    TRY("builder", crm_base_builder_new(&builder));
    rc = crm_base_builder_add_customers_csv(builder, customers, strlen(customers), NULL, NULL);
    if (rc == CRM_RESULT_OK)
        rc = crm_base_builder_add_transactions_csv(builder, transactions, strlen(transactions), &spec, NULL);
    if (rc == CRM_RESULT_OK) rc = crm_base_builder_build(builder, &base);
    crm_base_builder_free(builder);
    if (rc != CRM_RESULT_OK) return fail("loading the ERP export", (crm_result)rc);

    rc = run(base, as_of);
    crm_base_free(base);
    return rc != 0 || checks_failed != 0;
}
