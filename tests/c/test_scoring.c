/* Scoring (work list with contributions and decay, plan comparison, back-test) and NPS (of
 * an array, per group of a base, change), with the figures of crm-core/tests/processes.rs
 * and the crm-core doc examples. */
#include "fixture.h"

static const char MODEL[] =
    "{\"rules\": [\n"
    "  {\"name\": \"lease ends within 30 days\", \"weight\": 3,\n"
    "   \"condition\": {\"type\": \"date_within_next\", \"attribute\": \"lease_end\", \"days\": 30}},\n"
    "  {\"name\": \"much service\", \"weight\": 2,\n"
    "   \"condition\": {\"type\": \"event_count\", \"kind\": \"service\", \"days\": 90, \"min\": 3}},\n"
    "  {\"name\": \"visited a fair\", \"weight\": 1,\n"
    "   \"condition\": {\"type\": \"event_within\", \"kind\": \"trade_fair\", \"days\": 60},\n"
    "   \"half_life_days\": 31}\n"
    "]}";

static crm_base *lease_base(void) {
    crm_base_builder *b = builder();
    const char *const ids[] = {"a", "b", "c", "d"};
    const char *const lease_end[] = {"2025-03-20", "2025-09-01", NULL, "2025-03-10"};
    int k;
    for (k = 0; k < 4; k++) {
        crm_customer *c = customer(ids[k]);
        if (lease_end[k] != NULL) CHECK_OK(crm_customer_set_attribute_date(c, "lease_end", 9, iso(lease_end[k])));
        add_customer(b, c);
    }
    static const char *const who[] = {"b", "b", "b", "c", "d"};
    static const char *const dates[] = {"2025-02-01", "2025-02-10", "2025-02-20", "2025-02-28", "2025-01-30"};
    static const char *const kinds[] = {"service", "service", "service", "trade_fair", "trade_fair"};
    static const char *const outcomes[] = {"", "", "", "", ""};
    add_events(b, who, dates, kinds, outcomes, 5);
    return build_base(b);
}

static void scoring_work_list_with_contributions_decay_and_plan_comparison(void) {
    crm_base *b = lease_base();
    crm_scoring_model *m = NULL;
    CHECK_OK(crm_scoring_model_new_json(MODEL, strlen(MODEL), &m));
    CHECK(crm_scoring_model_rule_count(m) == 3);
    crm_scores *s = NULL;
    CHECK_OK(crm_scores_new(b, m, iso("2025-03-02"), &s));
    CHECK(crm_scores_count(s) == 4 && crm_scores_as_of(s) == iso("2025-03-02"));
    /* a: lease 18 days ahead -> 3. b: 3 service calls -> 2. c: fair 2 days ago ->
     * 0.5^(2/31). d: lease 8 days ahead -> 3, fair 31 days ago -> 0.5. */
    double scores[4];
    CHECK_OK(crm_scores_copy_scores(s, scores, 4));
    CHECK(scores[0] == 3.0 && scores[1] == 2.0 && scores[3] == 3.5);
    CHECK(fabs(scores[2] - pow(0.5, 2.0 / 31.0)) < 1e-12);
    const char *const order[] = {"d", "a", "b", "c"};
    size_t k;
    CHECK(crm_scores_work_list_len(s) == 4);
    for (k = 0; k < 4; k++) {
        crm_scored_customer w;
        CHECK_OK(crm_scores_work_list_at(s, k, &w));
        CHECK(strcmp(w.id, order[k]) == 0);
    }
    crm_scored_customer top;
    crm_contribution c0, c1;
    CHECK_OK(crm_scores_work_list_at(s, 0, &top));
    CHECK(top.customer == 3 && top.score == 3.5 && top.contribution_count == 2);
    CHECK_OK(crm_scores_contribution_at(s, 0, 0, &c0));
    CHECK_OK(crm_scores_contribution_at(s, 0, 1, &c1));
    CHECK(strcmp(c0.rule, "lease ends within 30 days") == 0 && c0.points == 3.0);
    CHECK(strcmp(c1.rule, "visited a fair") == 0 && c1.points == 0.5);
    /* System: d, a, b (3.5, 3, 2; median 3); manual plan: b, c (2, 0.956; median 1.478). */
    const size_t system[] = {3, 0, 1}, manual[] = {1, 2}, nobody[] = {9};
    crm_plan_comparison cmp;
    CHECK_OK(crm_scores_compare_plans(s, system, 3, manual, 2, &cmp));
    CHECK(cmp.overlap == 1 && cmp.system_median == 3.0 && cmp.system == 3 && cmp.manual == 2);
    CHECK(fabs(cmp.manual_median - (2.0 + pow(0.5, 2.0 / 31.0)) / 2.0) < 1e-12);
    CHECK(cmp.system_above_manual_median == 3 && cmp.manual_above_system_median == 0);
    CHECK_FAILS(crm_scores_compare_plans(s, nobody, 1, NULL, 0, &cmp), CRM_RESULT_INVALID_CONFIG,
                "customer index 9");
    char *json = NULL;
    CHECK_OK(crm_scores_to_json(s, &json, NULL));
    CHECK(json_has(json, "\"id\":\"d\""));
    crm_scores_free(s);

    /* Back-test: who had a service call in the next 30 days? nobody: win rates 0. */
    const char *outcome = "{\"type\": \"interaction\", \"kind\": \"service\"}";
    crm_backtest *bt = NULL;
    crm_rule_backtest r;
    CHECK_OK(crm_backtest_new(b, m, iso("2025-03-02"), outcome, strlen(outcome), 30, &bt));
    CHECK(crm_backtest_count(bt) == 3);
    CHECK_OK(crm_backtest_at(bt, 0, &r));
    CHECK(strcmp(r.rule, "lease ends within 30 days") == 0 && r.hits == 2 && r.wins == 0);
    CHECK(r.win_rate.rate == 0.0 && r.base_rate.trials == 4);
    crm_backtest_free(bt);
    crm_scoring_model_free(m);
    crm_base_free(b);
}

static void nps_of_scores(void) {
    /* 50 promoters, 30 passives, 20 detractors: NPS 30; variance (0.5 + 0.2 - 0.09) / 100. */
    uint8_t scores[100];
    int k;
    for (k = 0; k < 100; k++) scores[k] = k < 50 ? 10 : k < 80 ? 7 : 3;
    crm_nps_summary n;
    CHECK_OK(crm_nps(scores, 100, 0.95, &n));
    CHECK(n.score == 30.0 && n.responses == 100 && n.promoters == 50 && n.passives == 30 && n.detractors == 20);
    CHECK(fabs(n.high - 30.0 - 1.959963984540054 * sqrt(0.0061) * 100.0) < 1e-9);
    scores[1] = 11;
    CHECK_FAILS(crm_nps(scores, 100, 0.95, &n), CRM_RESULT_INVALID_VALUE, "row 1, column `score`");
}

static void nps_by_group_and_change(void) {
    /* Ten in each half; the first answers 10,10,10,10,10,8,8,5,5,5 (NPS 20), the second 9 x 10. */
    const char *const first[] = {"10", "10", "10", "10", "10", "8", "8", "5", "5", "5"};
    char names[20][4];
    const char *ids[20], *dates[20], *kinds[20], *outcomes[20];
    crm_base_builder *bb = builder();
    int k;
    for (k = 0; k < 20; k++) {
        snprintf(names[k], sizeof names[k], "c%02d", k);
        crm_customer *c = customer(names[k]);
        const char *half = k < 10 ? "first" : "second";
        CHECK_OK(crm_customer_set_attribute_text(c, "half", 4, half, strlen(half)));
        add_customer(bb, c);
        ids[k] = names[k];
        dates[k] = "2025-02-01";
        kinds[k] = "nps";
        outcomes[k] = k < 10 ? first[k] : "9";
    }
    add_events(bb, ids, dates, kinds, outcomes, 20);
    crm_base *b = build_base(bb);
    crm_nps_groups *g = NULL;
    CHECK_OK(crm_nps_groups_new(b, "nps", 3, iso("2025-01-01"), iso("2025-03-01"), 0.95, "half", 4, &g));
    CHECK(crm_nps_groups_count(g) == 2);
    crm_nps_summary f, s;
    const char *name = NULL;
    CHECK_OK(crm_nps_groups_at(g, 0, &name, &f));
    CHECK(strcmp(name, "first") == 0);
    CHECK(f.promoters == 5 && f.passives == 2 && f.detractors == 3 && f.score == 20.0);
    /* variance (0.5 + 0.3 - 0.04) / 10 -> half-width 1.96 x sqrt(0.076) x 100 */
    CHECK(fabs(f.high - 20.0 - 1.959963984540054 * sqrt(0.076) * 100.0) < 1e-9);
    CHECK_OK(crm_nps_groups_find(g, "second", 6, &s));
    CHECK(s.score == 100.0);
    crm_nps_change ch;
    CHECK_OK(crm_nps_compare(&f, &s, 0.95, &ch));
    CHECK(ch.change == 80.0 && ch.low < 80.0 && ch.high > 80.0);
    char *json = NULL;
    CHECK_OK(crm_nps_groups_to_json(g, &json, NULL));
    CHECK(json_has(json, "\"second\":{\"responses\":10"));
    crm_nps_groups_free(g);
    /* Without an attribute: one group, "all". */
    CHECK_OK(crm_nps_groups_new(b, "nps", 3, iso("2025-01-01"), iso("2025-03-01"), 0.95, NULL, 0, &g));
    CHECK_OK(crm_nps_groups_find(g, "all", 3, &s));
    CHECK(s.responses == 20 && s.promoters == 15);
    crm_nps_groups_free(g);
    crm_base_free(b);

    /* An answer that is not a 0-10 score names its customer. */
    const char *const bad_ids[] = {"x"}, *const bad_dates[] = {"2025-02-01"}, *const bad_kinds[] = {"nps"};
    const char *const bad_outcomes[] = {"eleven"};
    bb = builder();
    add_events(bb, bad_ids, bad_dates, bad_kinds, bad_outcomes, 1);
    b = build_base(bb);
    g = NULL;
    CHECK_FAILS(crm_nps_groups_new(b, "nps", 3, iso("2025-01-01"), iso("2025-03-01"), 0.95, NULL, 0, &g),
                CRM_RESULT_INVALID_VALUE, "customer `x`");
    CHECK_FAILS(crm_nps_groups_new(b, "nps", 3, iso("2025-01-01"), iso("2025-03-01"), 0.95, "half", 4, &g),
                CRM_RESULT_MISSING_DATA, "customer table");
    CHECK(g == NULL);
    crm_base_free(b);
}

int main(void) {
    scoring_work_list_with_contributions_decay_and_plan_comparison();
    nps_of_scores();
    nps_by_group_and_change();
    CHECK_DONE();
}
