/* Builders for hand-worked fixtures shared by the C tests of the analyses (header-only,
 * C99): transactions and events by day, customers with string ids. */
#ifndef CRM_TEST_FIXTURE_H
#define CRM_TEST_FIXTURE_H

#include "check.h"

/* The day number of an ISO date "YYYY-MM-DD". */
static inline int32_t iso(const char *date) {
    int32_t d = 0;
    CHECK_OK(crm_date_parse(date, strlen(date), &d));
    return d;
}

/* Adds transactions (string ids, ISO dates, amounts, margins or NULL) to a builder. */
static inline void add_tx(crm_base_builder *b, const char *const *ids, const char *const *dates, const double *amounts,
                          const double *margins, size_t n) {
    crm_str *sids = (crm_str *)malloc(n * sizeof *sids);
    int64_t *days = (int64_t *)malloc(n * sizeof *days);
    size_t i;
    for (i = 0; i < n; i++) {
        sids[i] = str(ids[i]);
        days[i] = iso(dates[i]);
    }
    CHECK_OK(crm_base_builder_add_transactions_str(b, sids, n, days, n, CRM_TIME_UNIT_DAYS, amounts, n, margins,
                                                   margins ? n : 0));
    free(sids);
    free(days);
}

/* Adds events (string ids, ISO dates at noon, kinds, outcomes: "" for none) to a builder,
 * over the "other" channel, outbound. */
static inline void add_events(crm_base_builder *b, const char *const *ids, const char *const *dates,
                              const char *const *kinds, const char *const *outcomes, size_t n) {
    crm_str *sids = (crm_str *)malloc(n * sizeof *sids);
    crm_str *skinds = (crm_str *)malloc(n * sizeof *skinds);
    crm_str *souts = (crm_str *)malloc(n * sizeof *souts);
    int64_t *times = (int64_t *)malloc(n * sizeof *times);
    uint8_t *channels = (uint8_t *)malloc(n);
    uint8_t *directions = (uint8_t *)malloc(n);
    size_t i;
    for (i = 0; i < n; i++) {
        sids[i] = str(ids[i]);
        skinds[i] = str(kinds[i]);
        souts[i] = str(outcomes[i]);
        times[i] = (int64_t)iso(dates[i]) * 86400 + 12 * 3600;
        channels[i] = CRM_CHANNEL_OTHER;
        directions[i] = CRM_DIRECTION_OUTBOUND;
    }
    crm_interaction_columns c = crm_interaction_columns_default();
    c.customer_ids_str = sids;
    c.customer_ids_len = n;
    c.timestamps = times;
    c.timestamps_len = n;
    c.channels = channels;
    c.channels_len = n;
    c.directions = directions;
    c.directions_len = n;
    c.kinds = skinds;
    c.kinds_len = n;
    c.outcomes = souts;
    c.outcomes_len = n;
    CHECK_OK(crm_base_builder_add_interactions(b, &c));
    free(sids);
    free(skinds);
    free(souts);
    free(times);
    free(channels);
    free(directions);
}

/* A new customer with a string id (add it with crm_base_builder_add_customer, then free). */
static inline crm_customer *customer(const char *id) {
    crm_customer *c = NULL;
    CHECK_OK(crm_customer_new(&c));
    CHECK_OK(crm_customer_set_id_str(c, id, strlen(id)));
    return c;
}

/* Adds a customer to the table and frees the handle. */
static inline void add_customer(crm_base_builder *b, crm_customer *c) {
    CHECK_OK(crm_base_builder_add_customer(b, c));
    crm_customer_free(c);
}

/* Builds and frees the builder. */
static inline crm_base *build_base(crm_base_builder *b) {
    crm_base *base = NULL;
    CHECK_OK(crm_base_builder_build(b, &base));
    crm_base_builder_free(b);
    return base;
}

/* A new builder. */
static inline crm_base_builder *builder(void) {
    crm_base_builder *b = NULL;
    CHECK_OK(crm_base_builder_new(&b));
    return b;
}

/* True when `json` contains `needle`; frees `json`. */
static inline int json_has(char *json, const char *needle) {
    int found = json != NULL && strstr(json, needle) != NULL;
    crm_string_free(json);
    return found;
}

#endif
