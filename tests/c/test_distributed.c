/* A C host distributing RFM scores: ten buyers and a prospect split over two tasks, the
 * partials merged through their bytes, each task scored against the merge. Purchases 1..10
 * and revenue 100..1000 score 1,1,2,2,3,3,4,4,5,5 (rank.rs's quintile example, worked by
 * hand); equal recency ties at score 1; the prospect scores 0. */
#include "check.h"

int main(void) {
    /* Task A holds the odd buyers and the prospect, task B the even buyers. */
    const uint32_t a_purchases[] = {1, 3, 5, 7, 9, 0}, b_purchases[] = {2, 4, 6, 8, 10};
    const uint32_t a_recency[] = {5, 5, 5, 5, 5, 0}, b_recency[] = {5, 5, 5, 5, 5};
    const double a_revenue[] = {100, 300, 500, 700, 900, 0}, b_revenue[] = {200, 400, 600, 800, 1000};
    const uint8_t a_scores[] = {1, 2, 3, 4, 5, 0}, b_scores[] = {1, 2, 3, 4, 5};
    crm_rfm_partial *a = NULL, *b = NULL, *wire = NULL;
    const uint8_t *bytes = NULL;
    size_t len = 0, i;
    uint8_t r[6], f[6], m[6];

    CHECK_OK(crm_rfm_partial_new(a_purchases, a_recency, a_revenue, 6, &a));
    CHECK_OK(crm_rfm_partial_new(b_purchases, b_recency, b_revenue, 5, &b));
    CHECK(crm_rfm_partial_buyers(a) == 5);
    /* B's partial travels as bytes to the driver, which merges it into A's. */
    CHECK_OK(crm_rfm_partial_bytes(b, &bytes, &len));
    CHECK(len > 5);
    CHECK_OK(crm_rfm_partial_from_bytes(bytes, len, &wire));
    CHECK_OK(crm_rfm_partial_merge(a, wire));
    CHECK(crm_rfm_partial_buyers(a) == 10);

    CHECK_OK(crm_rfm_partial_score(a, a_purchases, a_recency, a_revenue, 6, r, f, m));
    for (i = 0; i < 6; i++) {
        CHECK(f[i] == a_scores[i]);
        CHECK(m[i] == a_scores[i]);
        CHECK(r[i] == (a_purchases[i] ? 1 : 0));
    }
    CHECK_OK(crm_rfm_partial_score(a, b_purchases, b_recency, b_revenue, 5, r, f, m));
    for (i = 0; i < 5; i++) {
        CHECK(f[i] == b_scores[i]);
        CHECK(m[i] == b_scores[i]);
        CHECK(r[i] == 1);
    }

    /* Wrong sizes and foreign bytes are errors, not crashes. */
    CHECK_FAILS(crm_rfm_partial_score(a, b_purchases, b_recency, b_revenue, 5, r, f, NULL), CRM_RESULT_NULL_PARAMETER,
                "out_m");
    CHECK_FAILS(crm_rfm_partial_from_bytes(bytes, len - 1, &b), CRM_RESULT_INVALID_CONFIG, "RFM partial");
    CHECK_FAILS(crm_rfm_partial_from_bytes((const uint8_t *)"CRMX\001", 5, &b), CRM_RESULT_INVALID_CONFIG,
                "wrong tag");

    crm_rfm_partial_free(a);
    crm_rfm_partial_free(b);
    crm_rfm_partial_free(wire);
    crm_rfm_partial_free(NULL);
    CHECK_DONE();
}
