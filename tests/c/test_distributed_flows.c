/* A C host distributing flows per value segment and migration: 300 generated customers
 * (amounts in steps of 50, so customers tie on value across tasks) split over three
 * tasks by id; the tasks' byte partials, merged by the driver, give the flows and the
 * migration matrices that the single-machine functions give on the whole base. The
 * membership example with a cut inside tied values is worked by hand in crm-core
 * (distributed/membership.rs); here the data is built to put some cut inside ties. */
#include <stdlib.h>
#include "tied_base.h"

int main(void) {
    crm_base *whole = build(TASKS), *tasks[TASKS];
    int32_t bounds[7];
    crm_bytes *parts[TASKS], *membership = NULL, *ids[TASKS];
    crm_buf bufs[TASKS];
    crm_flows *want = NULL, *got = NULL;
    crm_flow_config config = crm_flow_config_default();
    bool needs_ids = false;
    size_t t, p, r;
    int m;

    for (t = 0; t < TASKS; t++) tasks[t] = build((int)t);
    for (m = 0; m < 7; m++) bounds[m] = day(2023 + m / 4, 1 + 3 * (uint32_t)(m % 4), 1);
    config.inactivity_days = 270;
    CHECK_OK(crm_flows_new_series(whole, bounds[0], CRM_PERIOD_QUARTER, 6, &config, &want));

    /* Pass 1: value distributions; the driver places the cuts. */
    for (t = 0; t < TASKS; t++) {
        CHECK_OK(crm_membership_partial(tasks[t], bounds, 7, &config.segments, &parts[t]));
        bufs[t] = buf(parts[t]);
    }
    CHECK_OK(crm_membership_finish(bufs, TASKS, bounds, 7, &config.segments, &membership, &needs_ids));
    /* Pass 2 (the data puts a cut inside tied values): the smallest ids there. */
    CHECK(needs_ids);
    for (t = 0; t < TASKS; t++) {
        CHECK_OK(crm_membership_tie_ids(buf(membership), tasks[t], &config.segments, &ids[t]));
        bufs[t] = buf(ids[t]);
    }
    {
        crm_bytes *resolved = NULL;
        CHECK_OK(crm_membership_resolve(buf(membership), bufs, TASKS, &resolved));
        crm_bytes_free(membership);
        membership = resolved;
    }
    /* Pass 3: each task's flows with the whole base's segments. */
    for (t = 0; t < TASKS; t++) {
        crm_bytes_free(parts[t]);
        crm_bytes_free(ids[t]);
        CHECK_OK(crm_flows_partial(tasks[t], bounds, 7, &config, buf(membership), &parts[t]));
        bufs[t] = buf(parts[t]);
    }
    CHECK_OK(crm_flows_finish(bufs, TASKS, bounds, 7, &config, &got));

    CHECK(crm_flows_count(got) == 6 && crm_flows_segment_len(got) == 4);
    for (p = 0; p < 6; p++) {
        crm_flow_report a, b;
        CHECK_OK(crm_flows_report_at(got, p, &a));
        CHECK_OK(crm_flows_report_at(want, p, &b));
        CHECK(a.base_at_start == b.base_at_start && a.new_customers == b.new_customers && a.lost == b.lost);
        CHECK(a.won_back == b.won_back && a.base_at_end == b.base_at_end);
        CHECK_NEAR(a.churn_rate, b.churn_rate);
        for (r = 0; r < 4; r++) {
            crm_segment_flows x, y;
            CHECK_OK(crm_flows_segment_row(got, p, r, &x));
            CHECK_OK(crm_flows_segment_row(want, p, r, &y));
            CHECK(x.base_at_start == y.base_at_start && x.lost == y.lost && x.base_at_end == y.base_at_end);
            CHECK(x.new_customers == y.new_customers && x.won_back == y.won_back);
        }
    }

    /* Migration between lifecycle stages: counts add up. */
    {
        crm_migration *mw = NULL, *mg = NULL;
        uint64_t cw[64], cg[64];
        size_t k;
        CHECK_OK(crm_migration_new_lifecycle(whole, bounds[0], bounds[6], NULL, &mw));
        for (t = 0; t < TASKS; t++) {
            crm_bytes_free(parts[t]);
            CHECK_OK(crm_migration_partial_lifecycle(tasks[t], bounds[0], bounds[6], NULL, &parts[t]));
            bufs[t] = buf(parts[t]);
        }
        CHECK_OK(crm_migration_finish(bufs, TASKS, 1, bounds[0], bounds[6], &mg));
        k = crm_migration_state_count(mw);
        CHECK(k == 8 && crm_migration_state_count(mg) == k);
        CHECK_OK(crm_migration_copy_counts(mw, cw, k * k));
        CHECK_OK(crm_migration_copy_counts(mg, cg, k * k));
        for (r = 0; r < k * k; r++) CHECK(cw[r] == cg[r]);
        CHECK_FAILS(crm_migration_finish(bufs, TASKS, 0, bounds[0], bounds[6], &mg), CRM_RESULT_INVALID_CONFIG,
                    "different dates or states");
        CHECK_FAILS(crm_migration_finish(bufs, TASKS, 2, bounds[0], bounds[6], &mg), CRM_RESULT_INVALID_CONFIG,
                    "states");
        crm_migration_free(mw);
        crm_migration_free(mg);
    }
    /* Migration between value segments from classes joined by customer (by hand: one
     * stays on top, one drops from middle to bottom, a prospect enters on top; the top's
     * value at the end is the mean of 300 and 500). States: not yet, top, middle, bottom,
     * lost. */
    {
        const uint8_t fs[3] = {0, 1, 255}, fp[3] = {1, 3, 5}, ts[3] = {0, 2, 0}, tp[3] = {1, 3, 1};
        const double value[3] = {300, 40, 500};
        uint64_t counts[25];
        double state_value[5];
        crm_migration *mg = NULL;
        crm_bytes *one = NULL;
        crm_buf b;
        CHECK_OK(crm_migration_partial_segments(bounds[0], bounds[6], fs, fp, ts, tp, value, 3, &one));
        b = buf(one);
        CHECK_OK(crm_migration_finish(&b, 1, 0, bounds[0], bounds[6], &mg));
        CHECK_OK(crm_migration_copy_counts(mg, counts, 25));
        CHECK(counts[0 * 5 + 1] == 1 && counts[1 * 5 + 1] == 1 && counts[2 * 5 + 3] == 1);
        CHECK_OK(crm_migration_copy_state_value(mg, state_value, 5));
        CHECK_NEAR(state_value[1], 400);
        CHECK_NEAR(state_value[3], 40);
        crm_migration_free(mg);
        crm_bytes_free(one);
    }
    /* Foreign bytes are errors. */
    {
        crm_buf junk = {(const uint8_t *)"CRMX\001", 5};
        CHECK_FAILS(crm_flows_finish(&junk, 1, bounds, 7, &config, &got), CRM_RESULT_INVALID_CONFIG, "flows partial");
        CHECK_FAILS(crm_membership_tie_ids(junk, tasks[0], NULL, &ids[0]), CRM_RESULT_INVALID_CONFIG, "membership");
    }

    for (t = 0; t < TASKS; t++) {
        crm_bytes_free(parts[t]);
        crm_base_free(tasks[t]);
    }
    crm_bytes_free(membership);
    crm_bytes_free(NULL);
    crm_flows_free(want);
    crm_flows_free(got);
    crm_base_free(whole);
    CHECK_DONE();
}
