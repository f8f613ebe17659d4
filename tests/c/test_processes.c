/* The two example processes of the source deck (Volvo Cars): "P:1 Get prospects via www"
 * and "P:2 Invitation to events": due actions, blocked actions and KPIs on the hand-built
 * histories of crm-core/tests/processes.rs; definitions from JSON and TOML. */
#include "fixture.h"

/* A customer with permissions for e-mail, letter and phone, or none. */
static crm_customer *with_permissions(const char *id, int all) {
    crm_customer *c = customer(id);
    if (all) {
        CHECK_OK(crm_customer_add_permission(c, CRM_CHANNEL_EMAIL, true, CRM_NO_DATE));
        CHECK_OK(crm_customer_add_permission(c, CRM_CHANNEL_LETTER, true, CRM_NO_DATE));
        CHECK_OK(crm_customer_add_permission(c, CRM_CHANNEL_PHONE, true, CRM_NO_DATE));
    }
    return c;
}

/* Writes "<customer> <dialog>" (with the due date first when `dated`) of every action of a
 * list, separated by "; ", into `out`. */
static void describe(const crm_due_actions *a, uint8_t list, int dated, char *out, size_t size) {
    size_t i, used = 0;
    out[0] = '\0';
    for (i = 0; i < crm_due_actions_count(a, list); i++) {
        crm_due_action x;
        int32_t y = 0;
        uint32_t m = 0, d = 0;
        CHECK_OK(crm_due_actions_at(a, list, i, &x));
        CHECK_OK(crm_date_to_ymd(x.due_date, &y, &m, &d));
        if (dated)
            used += (size_t)snprintf(out + used, size - used, "%s%04d-%02u-%02u %s %s", i ? "; " : "", (int)y, m, d,
                                     x.dialog, x.customer_id);
        else
            used += (size_t)snprintf(out + used, size - used, "%s%s %s", i ? "; " : "", x.customer_id, x.dialog);
        if (used >= size) return;
    }
}

static void web_prospect_process_due_actions_blocked_and_kpis(crm_process *p1) {
    crm_base_builder *b = builder();
    add_customer(b, with_permissions("A", 1));
    add_customer(b, with_permissions("B", 1));
    add_customer(b, with_permissions("C", 1));
    add_customer(b, with_permissions("D", 0));
    static const char *const ids[] = {"A", "B", "B", "B", "B", "C", "C", "C", "C", "D"};
    static const char *const dates[] = {"2025-03-01", "2025-02-20", "2025-02-21", "2025-02-21", "2025-02-21",
                                        "2025-02-20", "2025-02-21", "2025-02-21", "2025-02-22", "2025-03-01"};
    static const char *const kinds[] = {"web_registration", "web_registration", "P:1/D:1", "P:1/D:2",
                                        "P:1/D:3",          "web_registration", "P:1/D:1", "P:1/D:2",
                                        "P:1/D:3",          "web_registration"};
    static const char *const outcomes[] = {"", "", "", "", "", "", "", "", "interested", ""};
    add_events(b, ids, dates, kinds, outcomes, 10);
    crm_base *base = build_base(b);

    crm_due_actions *a = NULL;
    crm_evaluation_config cfg = crm_evaluation_config_default();
    CHECK(cfg.lookback_days == 90);
    CHECK_OK(crm_due_actions_new(base, &p1, 1, iso("2025-03-03"), &cfg, &a));
    char text[512];
    /* Ordered by due date, process, dialog, then customer (A, B, C, D). */
    describe(a, CRM_ACTION_LIST_DUE, 1, text, sizeof text);
    CHECK(strcmp(text,
                 "2025-02-27 D:4 B; " /* the dealer gave no feedback within 7 days: remind */
                 "2025-03-01 D:1 A; 2025-03-01 D:2 A; 2025-03-01 D:2 D; 2025-03-01 D:3 A; 2025-03-01 D:3 D") == 0);
    /* D has no e-mail permission: the confirmation is blocked, not due. */
    describe(a, CRM_ACTION_LIST_BLOCKED, 0, text, sizeof text);
    CHECK(strcmp(text, "D D:1") == 0);
    crm_due_action first;
    CHECK_OK(crm_due_actions_at(a, CRM_ACTION_LIST_DUE, 0, &first));
    CHECK(strcmp(first.responsible, "Marketing support") == 0 && strcmp(first.process, "P:1") == 0);
    CHECK(first.trigger_date == iso("2025-02-20") && first.channel == CRM_CHANNEL_EMAIL && !first.reminder);
    CHECK(first.customer == 1 && strcmp(first.done_by, "CRM system") == 0);
    char *json = NULL;
    CHECK_OK(crm_due_actions_to_json(a, &json, NULL));
    CHECK(json_has(json, "\"blocked\":[{"));
    crm_due_actions_free(a);

    /* KPIs for February's registrations, as of 2025-03-03: B and C were contacted within 5
     * days (2 of 2); one of the two contacted responded. */
    crm_kpi_results *k = NULL;
    crm_kpi_result r;
    CHECK_OK(crm_kpi_results_new(base, p1, iso("2025-02-01"), iso("2025-03-01"), iso("2025-03-03"), &k));
    CHECK(crm_kpi_results_count(k) == 2 && crm_process_kpi_count(p1) == 2);
    CHECK_OK(crm_kpi_results_at(k, 0, &r));
    CHECK(r.kind == CRM_KPI_KIND_DONE_WITHIN && strcmp(r.dialog, "D:3") == 0 && r.target == 1.0);
    CHECK(r.actual.successes == 2 && r.actual.trials == 2 && r.met);
    CHECK_OK(crm_kpi_results_at(k, 1, &r));
    CHECK(r.kind == CRM_KPI_KIND_RESPONSE_RATE && r.actual.successes == 1 && r.actual.trials == 2 && r.met);
    CHECK_OK(crm_kpi_results_to_json(k, &json, NULL));
    CHECK(json_has(json, "\"type\":\"done_within\""));
    crm_kpi_results_free(k);
    crm_base_free(base);
}

static void event_invitation_process_branches(crm_process *p2) {
    crm_base_builder *b = builder();
    const char *const people[] = {"E1", "E2", "E3", "E4", "E5"};
    int i;
    for (i = 0; i < 5; i++) add_customer(b, with_permissions(people[i], 1));
    add_customer(b, with_permissions("E6", 0));
    static const char *const ids[] = {"E1", "E2", "E3", "E4", "E5", "E1", "E1", "E2",
                                      "E3", "E4", "E4", "E5", "E5", "E5"};
    static const char *const dates[] = {"2025-03-06", "2025-03-06", "2025-03-06", "2025-03-06", "2025-03-06",
                                        "2025-03-08", "2025-03-08", "2025-03-08", "2025-03-10", "2025-03-09",
                                        "2025-03-09", "2025-03-09", "2025-03-09", "2025-03-20"};
    static const char *const kinds[] = {"P:2/D:1", "P:2/D:1", "P:2/D:1", "P:2/D:1", "P:2/D:1",
                                        "P:2/D:1", "P:2/D:2", "P:2/D:1", "P:2/D:1", "P:2/D:1",
                                        "P:2/D:2", "P:2/D:1", "P:2/D:2", "event_attended"};
    static const char *const outcomes[] = {"", "", "", "", "", "yes", "", "no", "cannot_come", "yes", "", "yes", "",
                                           ""};
    add_events(b, ids, dates, kinds, outcomes, 14);
    crm_base *base = build_base(b);
    crm_due_actions *a = NULL;
    char due[512], blocked[512];

    /* Two weeks before: only E6 is not invited yet, and has no letter permission. */
    CHECK_OK(crm_due_actions_new(base, &p2, 1, iso("2025-03-06"), NULL, &a));
    describe(a, CRM_ACTION_LIST_DUE, 0, due, sizeof due);
    describe(a, CRM_ACTION_LIST_BLOCKED, 0, blocked, sizeof blocked);
    CHECK(strcmp(due, "") == 0 && strcmp(blocked, "E6 D:1") == 0);
    crm_due_actions_free(a);
    /* The day before: the reminder to those who said yes (E1, E4, E5). */
    CHECK_OK(crm_due_actions_new(base, &p2, 1, iso("2025-03-19"), NULL, &a));
    describe(a, CRM_ACTION_LIST_DUE, 0, due, sizeof due);
    CHECK(strcmp(due, "E1 D:3; E4 D:3; E5 D:3") == 0);
    crm_due_actions_free(a);
    /* On the day: questionnaire to the attendee E5 and to E3, who could not come. */
    CHECK_OK(crm_due_actions_new(base, &p2, 1, iso("2025-03-20"), NULL, &a));
    describe(a, CRM_ACTION_LIST_DUE, 0, due, sizeof due);
    CHECK(strstr(due, "E5 D:4") != NULL && strstr(due, "E3 D:4") != NULL);
    crm_due_actions_free(a);
    /* The day after: follow up E1 and E4, who said yes and did not attend. */
    CHECK_OK(crm_due_actions_new(base, &p2, 1, iso("2025-03-21"), NULL, &a));
    size_t k, n5 = 0;
    const char *d5[2] = {NULL, NULL};
    for (k = 0; k < crm_due_actions_count(a, CRM_ACTION_LIST_DUE); k++) {
        crm_due_action x;
        CHECK_OK(crm_due_actions_at(a, CRM_ACTION_LIST_DUE, k, &x));
        if (strcmp(x.dialog, "D:5") == 0 && n5 < 2) d5[n5++] = x.customer_id;
    }
    CHECK(n5 == 2 && strcmp(d5[0], "E1") == 0 && strcmp(d5[1], "E4") == 0);
    crm_due_actions_free(a);

    /* KPIs: all five invited responded; 2 of the 3 yes stayed away (no-show 67 % > 20 %). */
    crm_kpi_results *kp = NULL;
    crm_kpi_result r;
    CHECK_OK(crm_kpi_results_new(base, p2, iso("2025-03-01"), iso("2025-04-01"), iso("2025-03-31"), &kp));
    CHECK_OK(crm_kpi_results_at(kp, 0, &r));
    CHECK(r.actual.successes == 5 && r.actual.trials == 5 && r.met);
    CHECK_OK(crm_kpi_results_at(kp, 1, &r));
    CHECK(r.kind == CRM_KPI_KIND_NO_SHOW_RATE && r.actual.successes == 2 && r.actual.trials == 3 && !r.met);
    crm_kpi_results_free(kp);
    crm_base_free(base);
}

static void process_definitions_round_trip_and_bad_ones_are_refused(crm_process **examples) {
    int i;
    for (i = 0; i < CRM_PROCESS_EXAMPLES; i++) {
        char *json = NULL, *again = NULL;
        size_t len = 0;
        crm_process *p = NULL;
        CHECK_OK(crm_process_to_json(examples[i], &json, &len));
        CHECK_OK(crm_process_new_json(json, len, &p));
        CHECK(strcmp(crm_process_id(p), crm_process_id(examples[i])) == 0);
        CHECK_OK(crm_process_to_json(p, &again, NULL));
        CHECK(strcmp(json, again) == 0);
        crm_string_free(json);
        crm_string_free(again);
        crm_process_free(p);
    }
    const char *bad =
        "id = \"P:9\"\n"
        "name = \"x\"\n"
        "kind = \"retain\"\n"
        "[[dialogs]]\n"
        "id = \"D:1\"\n"
        "name = \"a\"\n"
        "trigger = { type = \"response\", dialog = \"D:7\", outcomes = [\"yes\"] }\n"
        "timing = { type = \"immediately\" }\n"
        "channel = \"email\"\n";
    crm_process *p = NULL;
    CHECK_FAILS(crm_process_new_toml(bad, strlen(bad), &p), CRM_RESULT_INVALID_CONFIG, "no dialog `D:7`");
    CHECK_FAILS(crm_process_new_toml("id = 3", 6, &p), CRM_RESULT_INVALID_CONFIG, "");
    CHECK(p == NULL);
    /* A good TOML definition reads like the shipped ones. */
    const char *good =
        "id = \"P:9\"\nname = \"Welcome\"\nkind = \"retain\"\n[[dialogs]]\nid = \"D:1\"\nname = \"welcome\"\n"
        "trigger = { type = \"event\", kind = \"signed\" }\ntiming = { type = \"days_after\", days = 2 }\n"
        "channel = \"letter\"\n";
    CHECK_OK(crm_process_new_toml(good, strlen(good), &p));
    CHECK(strcmp(crm_process_id(p), "P:9") == 0 && strcmp(crm_process_name(p), "Welcome") == 0);
    CHECK(crm_process_dialog_count(p) == 1 && crm_process_kpi_count(p) == 0);
    crm_process_free(p);
}

int main(void) {
    crm_process *examples[CRM_PROCESS_EXAMPLES] = {NULL, NULL};
    CHECK_OK(crm_process_examples(examples, CRM_PROCESS_EXAMPLES));
    CHECK(strcmp(crm_process_id(examples[0]), "P:1") == 0 && strcmp(crm_process_id(examples[1]), "P:2") == 0);
    CHECK(crm_process_dialog_count(examples[1]) == 5);
    web_prospect_process_due_actions_blocked_and_kpis(examples[0]);
    event_invitation_process_branches(examples[1]);
    process_definitions_round_trip_and_bad_ones_are_refused(examples);
    crm_process_free(examples[0]);
    crm_process_free(examples[1]);
    CHECK_DONE();
}
