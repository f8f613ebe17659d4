/* Funnels, variant tests and the statistics under them, with the figures of
 * crm-core/tests/processes.rs and of the crm-core doc examples: the deck's card funnel
 * (55 % use the card in the first month), the cheque test (55 % -> 70 %, with its
 * economics), outcome branches, two entry periods compared, Wilson and Newcombe intervals,
 * sample size. */
#include "fixture.h"

static const char FUNNEL[] =
    "{\"name\": \"new card\", \"steps\": [\n"
    "  {\"name\": \"credit granted\", \"event\": {\"type\": \"interaction\", \"kind\": \"credit_granted\"}},\n"
    "  {\"name\": \"welcome letter\", \"event\": {\"type\": \"interaction\", \"kind\": \"welcome_letter\"},\n"
    "   \"window_days\": 7},\n"
    "  {\"name\": \"card used in the first month\", \"event\": {\"type\": \"purchase\"}, \"window_days\": 30}\n"
    "]}";

/* Deck 000: credit granted -> welcome letter -> card used in the first month. Each group
 * (prefix, customers, users, variant) has `users` of its customers using the card. */
struct group {
    const char *prefix;
    int customers, users;
    const char *variant;
};

static crm_base *credit_base(const struct group *groups, int n_groups) {
    crm_base_builder *b = builder();
    int g, k, n = 0, total = 0;
    for (g = 0; g < n_groups; g++) total += groups[g].customers;
    char (*names)[16] = malloc((size_t)total * sizeof *names);
    const char **ids = malloc(2 * (size_t)total * sizeof *ids);
    const char **dates = malloc(2 * (size_t)total * sizeof *dates);
    const char **kinds = malloc(2 * (size_t)total * sizeof *kinds);
    const char **outcomes = malloc(2 * (size_t)total * sizeof *outcomes);
    const char **buyers = malloc((size_t)total * sizeof *buyers);
    const char **buy_dates = malloc((size_t)total * sizeof *buy_dates);
    double *amounts = malloc((size_t)total * sizeof *amounts);
    int buys = 0;
    for (g = 0; g < n_groups; g++) {
        for (k = 0; k < groups[g].customers; k++, n++) {
            snprintf(names[n], sizeof names[n], "%s%04d", groups[g].prefix, k);
            crm_customer *c = customer(names[n]);
            CHECK_OK(crm_customer_set_attribute_text(c, "variant", 7, groups[g].variant, strlen(groups[g].variant)));
            add_customer(b, c);
            ids[2 * n] = ids[2 * n + 1] = names[n];
            dates[2 * n] = "2025-01-10";
            dates[2 * n + 1] = "2025-01-11";
            kinds[2 * n] = "credit_granted";
            kinds[2 * n + 1] = "welcome_letter";
            outcomes[2 * n] = outcomes[2 * n + 1] = "";
            if (k < groups[g].users) {
                buyers[buys] = names[n];
                buy_dates[buys] = "2025-01-20";
                amounts[buys++] = 250.0;
            }
        }
    }
    add_events(b, ids, dates, kinds, outcomes, 2 * (size_t)total);
    add_tx(b, buyers, buy_dates, amounts, NULL, (size_t)buys);
    crm_base *base = build_base(b);
    free(names);
    free(ids);
    free(dates);
    free(kinds);
    free(outcomes);
    free(buyers);
    free(buy_dates);
    free(amounts);
    return base;
}

static crm_funnel *credit_funnel(void) {
    crm_funnel *f = NULL;
    CHECK_OK(crm_funnel_new_json(FUNNEL, strlen(FUNNEL), &f));
    CHECK(crm_funnel_step_count(f) == 3);
    return f;
}

static crm_funnel_period period(const char *as_of) {
    crm_funnel_period p = crm_funnel_period_default();
    CHECK(p.entry_from == CRM_NO_DATE && p.confidence == 0.95);
    p.entry_from = iso("2025-01-01");
    p.entry_to = iso("2025-02-01");
    p.as_of = iso(as_of);
    return p;
}

static void deck_funnel_55_percent_use_the_card_in_the_first_month(void) {
    const struct group groups[] = {{"a", 1000, 550, "letter"}};
    crm_base *b = credit_base(groups, 1);
    crm_funnel *f = credit_funnel();
    crm_funnel_period p = period("2025-03-31");
    crm_funnel_result *r = NULL;
    crm_funnel_step_result s[3];
    size_t k;
    const char *name = NULL;
    CHECK_OK(crm_funnel_result_new(b, f, &p, &r));
    CHECK(crm_funnel_result_group_count(r) == 1 && crm_funnel_result_step_count(r) == 3);
    CHECK_OK(crm_funnel_result_group_name(r, 0, &name));
    CHECK(strcmp(name, "all") == 0);
    for (k = 0; k < 3; k++) CHECK_OK(crm_funnel_result_step(r, 0, k, &s[k]));
    CHECK(strcmp(s[2].name, "card used in the first month") == 0);
    CHECK(s[0].entered == 1000 && s[1].entered == 1000 && s[2].entered == 550);
    CHECK(s[1].converted == 550 && s[1].dropped == 450 && s[1].in_progress == 0);
    CHECK(isnan(s[0].rate_from_previous.rate) && s[0].rate_from_previous.trials == 0 && isnan(s[0].time_median));
    crm_proportion q = s[2].rate_from_previous;
    CHECK(q.rate == 0.55 && q.successes == 550 && q.trials == 1000);
    /* Wilson 95 % for 550 / 1000, worked out from the formula. */
    const double n = 1000.0, ph = 0.55, z = 1.959963984540054;
    const double centre = (ph + z * z / (2.0 * n)) / (1.0 + z * z / n);
    const double half = z / (1.0 + z * z / n) * sqrt(ph * (1.0 - ph) / n + z * z / (4.0 * n * n));
    CHECK(fabs(q.low - (centre - half)) < 1e-12 && fabs(q.high - (centre + half)) < 1e-12);
    CHECK(s[2].rate_from_first == 0.55);
    CHECK(s[2].time_median == 9.0 && s[2].time_q1 == 9.0 && s[2].time_q3 == 9.0);
    CHECK(s[2].outcome_count == 0 && s[1].outcome_count == 1);
    uint64_t hist[CRM_FUNNEL_TIME_BUCKETS];
    CHECK_OK(crm_funnel_result_copy_histogram(r, 0, 2, hist, CRM_FUNNEL_TIME_BUCKETS));
    CHECK(hist[4] == 550); /* 8-14 days */
    char *json = NULL;
    CHECK_OK(crm_funnel_result_to_json(r, &json, NULL));
    CHECK(json_has(json, "\"group\":\"all\""));
    crm_funnel_result_free(r);

    /* Twenty days in, the 450 are still inside the 30-day window: in progress, not dropped. */
    p = period("2025-01-30");
    CHECK_OK(crm_funnel_result_new(b, f, &p, &r));
    CHECK_OK(crm_funnel_result_step(r, 0, 1, &s[1]));
    CHECK_OK(crm_funnel_result_step(r, 0, 2, &s[2]));
    CHECK(s[1].dropped == 0 && s[1].in_progress == 450);
    CHECK(s[2].rate_from_previous.rate == 1.0);
    crm_funnel_result_free(r);
    crm_funnel_free(f);
    crm_base_free(b);
}

static void deck_cheque_test_55_to_70_percent_with_economics(void) {
    const struct group groups[] = {{"a", 1000, 550, "letter"}, {"b", 1000, 700, "letter + cheque"}};
    crm_base *b = credit_base(groups, 2);
    crm_funnel *f = credit_funnel();
    crm_funnel_period p = period("2025-03-31");
    crm_funnel_result *r = NULL;
    CHECK_OK(crm_funnel_result_new_by_attribute(b, f, &p, "variant", 7, &r));
    CHECK(crm_funnel_result_group_count(r) == 2);
    uint64_t customers[2], conversions[2];
    size_t g;
    for (g = 0; g < 2; g++) {
        crm_funnel_step_result first, last;
        CHECK_OK(crm_funnel_result_step(r, g, 0, &first));
        CHECK_OK(crm_funnel_result_step(r, g, 2, &last));
        customers[g] = first.entered;
        conversions[g] = last.entered;
    }
    const char *name = NULL;
    CHECK_OK(crm_funnel_result_group_name(r, 0, &name));
    CHECK(strcmp(name, "letter") == 0);
    CHECK(customers[1] == 1000 && conversions[1] == 700);
    /* The cheque costs 100 kr when used; a card in use is worth 1000 kr. */
    crm_economics e = crm_economics_default();
    CHECK(e.value_per_conversion == 0.0 && e.cost_per_customer == 0.0);
    e.value_per_conversion = 1000.0;
    e.cost_per_conversion = 100.0;
    crm_variant_result v[2];
    CHECK_OK(crm_compare_variants(customers, 2, conversions, 2, 0, 0.95, &e, v, 2));
    const crm_difference d = v[1].versus_control;
    CHECK(fabs(d.difference - 0.15) < 1e-12);
    CHECK(fabs(d.lift - (0.70 / 0.55 - 1.0)) < 1e-12);
    CHECK(d.p_value < 1e-10 && d.low > 0.10 && d.high < 0.20);
    CHECK(fabs(v[1].incremental_conversions - 150.0) < 1e-9);
    CHECK(fabs(v[1].net_effect - (150.0 * 1000.0 - 700.0 * 100.0)) < 1e-6);
    CHECK(fabs(v[1].roi - 80000.0 / 70000.0) < 1e-12);
    /* Break-even: u x 1000 = (0.55 + u) x 100 -> u = 55 / 900. */
    CHECK(fabs(v[1].break_even_uplift - 55.0 / 900.0) < 1e-12);
    CHECK(v[1].sample_size_needed == 163);
    /* The control: no comparison, no cost. */
    CHECK(isnan(v[0].versus_control.difference) && v[0].cost == 0.0 && v[0].sample_size_needed == -1);
    CHECK(v[0].conversion.rate == 0.55);
    crm_funnel_result_free(r);
    crm_funnel_free(f);
    crm_base_free(b);
}

static void outcome_branches_and_invalid_funnels(void) {
    static const char *const ids[] = {"a", "a", "b", "b", "c", "c", "d"};
    static const char *const dates[] = {"2025-01-01", "2025-01-03", "2025-01-01", "2025-01-02",
                                        "2025-01-01", "2025-01-05", "2025-01-01"};
    static const char *const kinds[] = {"invite", "answer", "invite", "answer", "invite", "answer", "invite"};
    static const char *const outcomes[] = {"", "yes", "", "no", "", "cannot_come", ""};
    crm_base_builder *bb = builder();
    add_events(bb, ids, dates, kinds, outcomes, 7);
    crm_base *b = build_base(bb);
    const char *json =
        "{\"name\": \"event\", \"steps\": [{\"name\": \"invited\", \"event\": {\"type\": \"interaction\", \"kind\": "
        "\"invite\"}}, {\"name\": \"said yes\", \"event\": {\"type\": \"interaction\", \"kind\": \"answer\", "
        "\"outcomes\": [\"yes\"]}, \"window_days\": 14}]}";
    crm_funnel *f = NULL;
    CHECK_OK(crm_funnel_new_json(json, strlen(json), &f));
    crm_funnel_period p = crm_funnel_period_default();
    p.entry_from = iso("2025-01-01");
    p.entry_to = iso("2025-01-02");
    p.as_of = iso("2025-02-01");
    crm_funnel_result *r = NULL;
    CHECK_OK(crm_funnel_result_new(b, f, &p, &r));
    crm_funnel_step_result s0, s1;
    CHECK_OK(crm_funnel_result_step(r, 0, 0, &s0));
    CHECK_OK(crm_funnel_result_step(r, 0, 1, &s1));
    CHECK(s1.entered == 1 && s0.dropped == 3 && s1.outcome_count == 4);
    const char *const names[] = {"cannot_come", "no", "none", "yes"};
    size_t k;
    for (k = 0; k < 4; k++) {
        const char *name = NULL;
        uint64_t count = 0;
        CHECK_OK(crm_funnel_result_outcome(r, 0, 1, k, &name, &count));
        CHECK(strcmp(name, names[k]) == 0 && count == 1);
    }
    crm_funnel_result_free(r);

    /* A funnel without steps and an empty entry period are refused when run. */
    crm_funnel *empty = NULL;
    const char *no_steps = "{\"name\": \"x\", \"steps\": []}";
    CHECK_OK(crm_funnel_new_json(no_steps, strlen(no_steps), &empty));
    r = NULL;
    CHECK_FAILS(crm_funnel_result_new(b, empty, &p, &r), CRM_RESULT_INVALID_CONFIG, "`steps`");
    p.entry_from = iso("2025-01-02");
    p.entry_to = iso("2025-01-01");
    CHECK_FAILS(crm_funnel_result_new(b, f, &p, &r), CRM_RESULT_INVALID_CONFIG, "`entry_to`");
    CHECK(r == NULL);
    crm_funnel_free(empty);
    crm_funnel_free(f);
    crm_base_free(b);
}

/* Two entry periods of a lead -> purchase funnel (the fixture of crm-core's
 * funnel_periods_compared_by_hand): January 1 of 4 leads buy, February 3 of 4; a fifth
 * February lead is still inside its 30-day window on the as-of date, out of the
 * denominator. */
static void funnel_periods_compared_by_hand(void) {
    static const char *const ids[] = {"a1", "a2", "a3", "a4", "b1", "b2", "b3", "b4", "b5"};
    static const char *const dates[] = {"2025-01-05", "2025-01-05", "2025-01-05", "2025-01-05", "2025-02-05",
                                        "2025-02-05", "2025-02-05", "2025-02-05", "2025-02-25"};
    static const char *const kinds[] = {"lead", "lead", "lead", "lead", "lead", "lead", "lead", "lead", "lead"};
    static const char *const outcomes[] = {"", "", "", "", "", "", "", "", ""};
    static const char *const buyers[] = {"a1", "b1", "b2", "b3"};
    static const char *const buy_dates[] = {"2025-01-10", "2025-02-10", "2025-02-10", "2025-02-10"};
    static const double amounts[] = {100.0, 100.0, 100.0, 100.0};
    crm_base_builder *bb = builder();
    add_events(bb, ids, dates, kinds, outcomes, 9);
    add_tx(bb, buyers, buy_dates, amounts, NULL, 4);
    crm_base *b = build_base(bb);
    const char *json =
        "{\"name\": \"lead to purchase\", \"steps\": [{\"name\": \"lead\", \"event\": {\"type\": \"interaction\", "
        "\"kind\": \"lead\"}}, {\"name\": \"purchase\", \"event\": {\"type\": \"purchase\"}, \"window_days\": 30}]}";
    crm_funnel *f = NULL;
    CHECK_OK(crm_funnel_new_json(json, strlen(json), &f));
    crm_funnel_period jan = crm_funnel_period_default(), feb = crm_funnel_period_default();
    jan.entry_from = iso("2025-01-01");
    jan.entry_to = feb.entry_from = iso("2025-02-01");
    feb.entry_to = iso("2025-03-01");
    jan.as_of = feb.as_of = iso("2025-03-10");
    crm_difference d[2];
    CHECK_OK(crm_funnel_compare_periods(b, f, &jan, &feb, d, 2));
    CHECK(isnan(d[0].difference) && isnan(d[0].p_value) && d[0].a.trials == 0 && d[0].b.trials == 0);
    CHECK(d[1].a.successes == 1 && d[1].a.trials == 4 && d[1].b.successes == 3 && d[1].b.trials == 4);
    CHECK(d[1].difference == 0.5);
    /* Pooled 4/8: se = sqrt(1/8), z = 0.5 / se = sqrt(2), p = erfc(1). */
    CHECK(fabs(d[1].z - sqrt(2.0)) < 1e-12);
    CHECK(fabs(d[1].p_value - erfc(1.0)) < 1e-12);
    CHECK(fabs(d[1].lift - 2.0) < 1e-12);
    /* Newcombe: Wilson 95 % of 1/4 is [l, u], that of 3/4 is [1 - u, 1 - l]. */
    const double n = 4.0, ph = 0.25, z = 1.959963984540054;
    const double centre = (ph + z * z / (2.0 * n)) / (1.0 + z * z / n);
    const double half = z / (1.0 + z * z / n) * sqrt(ph * (1.0 - ph) / n + z * z / (4.0 * n * n));
    CHECK(fabs(d[1].low - (0.5 - sqrt(2.0) * (centre + half - 0.25))) < 1e-12);
    CHECK(fabs(d[1].high - (0.5 + sqrt(2.0) * (0.25 - (centre - half)))) < 1e-12);
    CHECK(fabs(d[1].low - -0.1354884005829515) < 1e-12 && fabs(d[1].high - 0.7890832680847557) < 1e-12);
    /* The same period twice: no difference. */
    CHECK_OK(crm_funnel_compare_periods(b, f, &feb, &feb, d, 2));
    CHECK(d[1].difference == 0.0 && d[1].z == 0.0);
    /* Wrong array length, a missing day, NULL arguments: refused, named. */
    CHECK_FAILS(crm_funnel_compare_periods(b, f, &jan, &feb, d, 3), CRM_RESULT_LENGTH_MISMATCH, "`out`");
    feb.as_of = CRM_NO_DATE;
    CHECK_FAILS(crm_funnel_compare_periods(b, f, &jan, &feb, d, 2), CRM_RESULT_INVALID_ARGUMENT, "second.as_of");
    CHECK_FAILS(crm_funnel_compare_periods(b, f, NULL, &jan, d, 2), CRM_RESULT_NULL_PARAMETER, "`first`");
    CHECK_FAILS(crm_funnel_compare_periods(b, NULL, &jan, &jan, d, 2), CRM_RESULT_NULL_PARAMETER, "`funnel`");
    jan.entry_to = jan.entry_from;
    CHECK_FAILS(crm_funnel_compare_periods(b, f, &jan, &jan, d, 2), CRM_RESULT_INVALID_CONFIG, "`entry_to`");
    crm_funnel_free(f);
    crm_base_free(b);
}

static void statistics_of_the_doc_examples(void) {
    crm_proportion p;
    crm_difference d;
    uint64_t n = 0;
    char text[32];
    /* Newcombe (1998): 81 / 263 -> 0.2553 .. 0.3662. */
    CHECK_OK(crm_wilson(81, 263, 0.95, &p));
    snprintf(text, sizeof text, "%.4f %.4f", p.low, p.high);
    CHECK(strcmp(text, "0.2553 0.3662") == 0);
    /* Newcombe (1998), example (a): 56/70 vs 48/80, interval 0.0524 .. 0.3339. */
    CHECK_OK(crm_compare_proportions(48, 80, 56, 70, 0.95, &d));
    snprintf(text, sizeof text, "%.4f %.4f", d.low, d.high);
    CHECK(strcmp(text, "0.0524 0.3339") == 0);
    /* 550 / 1000 vs 700 / 1000: pooled 0.625, se = sqrt(0.625 x 0.375 x 0.002). */
    CHECK_OK(crm_compare_proportions(550, 1000, 700, 1000, 0.95, &d));
    CHECK(fabs(d.z - 0.15 / sqrt(0.625 * 0.375 * 0.002)) < 1e-12 && d.p_value < 1e-11);
    CHECK(fabs(d.lift - (0.7 / 0.55 - 1.0)) < 1e-12);
    /* 55 % -> 70 % at alpha 0.05 and power 0.8: 163 per group. */
    CHECK_OK(crm_sample_size(0.55, 0.70, 0.05, 0.8, &n));
    CHECK(n == 163);
    CHECK_OK(crm_wilson(0, 0, 0.95, &p));
    CHECK(p.rate == 0.0 && p.low == 0.0 && p.high == 1.0);
}

int main(void) {
    deck_funnel_55_percent_use_the_card_in_the_first_month();
    deck_cheque_test_55_to_70_percent_with_economics();
    outcome_branches_and_invalid_funnels();
    funnel_periods_compared_by_hand();
    statistics_of_the_doc_examples();
    CHECK_DONE();
}
