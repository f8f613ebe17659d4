/* A C host distributing value segments: customers c01..c10 over two tasks (odd and even),
 * c01..c04 spending 100 each (tied across tasks), c05..c10 spending 100 k, and c11 with a
 * refund only (a prospect). Worked by hand: the order is c10, c09, ..., c05, then the tie
 * c01, c02, c03, c04 by id; 2 / 5 / 3 puts c10, c09 on top and the middle / bottom cut
 * inside the tie (c01 middle, c02..c04 bottom); ABC over 4900: A up to c06 (cum before
 * 3400 / 4900 < 0.8), B c05, c01, c02 (4000, 4500, 4600 / 4900 < 0.95), C c03, c04;
 * pyramid 1 / 4 / 15 / 80 % of 10 is 0 / 1 / 1 / 8. c11's refund is before the
 * 365-day window and it never bought: a prospect, not ranked. */
#include <stdlib.h>
#include <string.h>
#include "check.h"

typedef struct {
    int64_t key;
    int id;
    double value;
} ranked_row;

static int by_key_then_id(const void *a, const void *b) {
    const ranked_row *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return x->id - y->id; /* "c01" < "c02" < ... as the ids' numbers */
}

static crm_base *task(const int *ids, size_t n) {
    char names[8][4];
    crm_str keys[8];
    int64_t times[8];
    double amounts[8];
    crm_base_builder *b = NULL;
    crm_base *base = NULL;
    size_t i;
    for (i = 0; i < n; i++) {
        snprintf(names[i], sizeof names[i], "c%02d", ids[i]);
        keys[i] = str(names[i]);
        times[i] = ids[i] == 11 ? secs(2023, 1, 1) : secs(2024, 6, 1);
        amounts[i] = ids[i] == 11 ? -50.0 : ids[i] <= 4 ? 100.0 : 100.0 * ids[i];
    }
    CHECK_OK(crm_base_builder_new(&b));
    CHECK_OK(crm_base_builder_add_transactions_str(b, keys, n, times, n, CRM_TIME_UNIT_SECONDS, amounts, n, NULL, 0));
    CHECK_OK(crm_base_builder_build(b, &base));
    crm_base_builder_free(b);
    return base;
}

int main(void) {
    const int ids[2][6] = {{1, 3, 5, 7, 9, 11}, {2, 4, 6, 8, 10, 0}};
    const size_t n[2] = {6, 5};
    /* Expected per customer id (index = id): rank, segment, ABC, pyramid. */
    const int64_t want_rank[12] = {0, 6, 7, 8, 9, 5, 4, 3, 2, 1, 0, -1};
    const uint8_t want_segment[12] = {0, 1, 2, 2, 2, 1, 1, 1, 1, 0, 0, 255};
    const uint8_t want_abc[12] = {0, 1, 1, 2, 2, 1, 0, 0, 0, 0, 0, 255};
    const uint8_t want_pyramid[12] = {0, 3, 3, 3, 3, 3, 3, 3, 3, 2, 1, 5};
    double value[2][6], revenue[2][6], cost[2][6];
    uint8_t standing[2][6], seg[2][6], abc[2][6], pyr[2][6];
    crm_base *bases[2];
    crm_segments_partial *partial[2] = {NULL, NULL}, *wire = NULL;
    crm_segment_ranker *ranker = NULL, *copy = NULL;
    crm_segment_tables_partial *tables[2] = {NULL, NULL};
    const uint8_t *bytes = NULL;
    size_t len = 0, t, i;
    const int32_t as_of = day(2024, 12, 31);

    /* Each task: its rows and its partial. */
    for (t = 0; t < 2; t++) {
        bases[t] = task(ids[t], n[t]);
        CHECK_OK(crm_segment_rows_copy(bases[t], as_of, NULL, value[t], revenue[t], NULL, cost[t], standing[t], n[t]));
        CHECK_OK(crm_segments_partial_new(value[t], standing[t], n[t], &partial[t]));
    }
    CHECK(standing[0][5] == 0); /* c11: a refund only, a prospect */
    CHECK(crm_segments_partial_ranked(partial[0]) == 5);
    /* The driver: B's partial as bytes, merged into A's; the ranker, and its bytes. */
    CHECK_OK(crm_segments_partial_bytes(partial[1], &bytes, &len));
    CHECK_OK(crm_segments_partial_from_bytes(bytes, len, &wire));
    CHECK_OK(crm_segments_partial_merge(partial[0], wire));
    CHECK(crm_segments_partial_ranked(partial[0]) == 10);
    CHECK_OK(crm_segments_partial_ranker(partial[0], NULL, 2, &copy));
    CHECK_OK(crm_segment_ranker_bytes(copy, &bytes, &len));
    CHECK_OK(crm_segment_ranker_from_bytes(bytes, len, &ranker));

    /* The shuffle: every ranked row to the task of its bucket (bucket % 2), sorted there
     * by (rank key, id), numbered and classified. */
    ranked_row to[2][10];
    size_t count[2] = {0, 0};
    int64_t rank_of[12];
    uint8_t seg_of[12], abc_of[12], pyr_of[12];
    for (i = 0; i < 12; i++) rank_of[i] = -1;
    for (t = 0; t < 2; t++) {
        uint32_t bucket[6];
        CHECK_OK(crm_segment_ranker_buckets(ranker, value[t], n[t], bucket));
        for (i = 0; i < n[t]; i++) {
            if (standing[t][i] != 2) continue;
            ranked_row r = {crm_segment_rank_key(value[t][i]), ids[t][i], value[t][i]};
            to[bucket[i] % 2][count[bucket[i] % 2]++] = r;
        }
    }
    for (t = 0; t < 2; t++) {
        double v[10];
        uint64_t ranks[10];
        crm_value_segment s[10];
        crm_abc_class a[10];
        crm_pyramid_level p[10];
        qsort(to[t], count[t], sizeof to[t][0], by_key_then_id);
        for (i = 0; i < count[t]; i++) v[i] = to[t][i].value;
        CHECK_OK(crm_segment_ranker_ranks(ranker, v, count[t], ranks));
        CHECK_OK(crm_segment_ranker_classify(ranker, ranks, count[t], s, a, p));
        for (i = 0; i < count[t]; i++) {
            int id = to[t][i].id;
            rank_of[id] = (int64_t)ranks[i];
            seg_of[id] = (uint8_t)s[i];
            abc_of[id] = (uint8_t)a[i];
            pyr_of[id] = (uint8_t)p[i];
        }
    }
    for (i = 1; i <= 10; i++) {
        CHECK(rank_of[i] == want_rank[i]);
        CHECK(seg_of[i] == want_segment[i]);
        CHECK(abc_of[i] == want_abc[i]);
        CHECK(pyr_of[i] == want_pyramid[i]);
    }

    /* The tables: each task's share of its customers with their classes, added up. */
    for (t = 0; t < 2; t++) {
        for (i = 0; i < n[t]; i++) {
            int id = ids[t][i];
            seg[t][i] = id == 11 ? 255 : seg_of[id];
            abc[t][i] = id == 11 ? 255 : abc_of[id];
            pyr[t][i] = id == 11 ? want_pyramid[11] : pyr_of[id];
        }
        CHECK_OK(crm_segment_tables_partial_new(revenue[t], NULL, cost[t], seg[t], abc[t], pyr[t], n[t], &tables[t]));
    }
    CHECK_OK(crm_segment_tables_partial_merge(tables[0], tables[1]));
    crm_segment_row row;
    const size_t seg_customers[3] = {2, 5, 3};
    const double seg_revenue[3] = {1900, 2700, 300};
    for (i = 0; i < 3; i++) {
        CHECK_OK(crm_segment_tables_partial_row(tables[0], CRM_SEGMENT_TABLE_VALUE, i, &row));
        CHECK(row.customers == seg_customers[i]);
        CHECK_NEAR(row.revenue, seg_revenue[i]);
    }
    CHECK(strcmp(row.segment, "bottom") == 0);
    CHECK_OK(crm_segment_tables_partial_row(tables[0], CRM_SEGMENT_TABLE_ABC, 0, &row));
    CHECK(row.customers == 5 && strcmp(row.segment, "A") == 0);
    CHECK_NEAR(row.revenue, 4000);
    CHECK_OK(crm_segment_tables_partial_row(tables[0], CRM_SEGMENT_TABLE_PYRAMID, 5, &row));
    CHECK(row.customers == 1 && strcmp(row.segment, "prospect") == 0);
    CHECK_NEAR(row.revenue, 0);
    CHECK(isnan(row.margin));

    /* Bad input: unsorted rows, a rank beyond the ranked, foreign bytes, bad codes. */
    {
        const double unsorted[2] = {100, 1000};
        const uint64_t beyond = 10;
        uint64_t r2[2];
        crm_value_segment s1;
        crm_abc_class a1;
        crm_pyramid_level p1;
        const uint8_t bad = 7;
        const double one = 1.0;
        crm_segment_tables_partial *none = NULL;
        CHECK_FAILS(crm_segment_ranker_ranks(ranker, unsorted, 2, r2), CRM_RESULT_INVALID_CONFIG, "not sorted");
        CHECK_FAILS(crm_segment_ranker_classify(ranker, &beyond, 1, &s1, &a1, &p1), CRM_RESULT_INVALID_CONFIG,
                    "ranked customers");
        CHECK_FAILS(crm_segment_ranker_from_bytes(bytes, len - 1, &copy), CRM_RESULT_INVALID_CONFIG, "segment ranker");
        CHECK_FAILS(crm_segments_partial_new(&one, &bad, 1, &wire), CRM_RESULT_INVALID_CONFIG, "standing");
        CHECK_FAILS(crm_segment_tables_partial_new(&one, NULL, NULL, &bad, &bad, &bad, 1, &none),
                    CRM_RESULT_INVALID_CONFIG, "segment");
        CHECK_FAILS(crm_segments_partial_ranker(partial[0], NULL, 0, &copy), CRM_RESULT_INVALID_CONFIG, "buckets");
    }

    for (t = 0; t < 2; t++) {
        crm_segments_partial_free(partial[t]);
        crm_segment_tables_partial_free(tables[t]);
        crm_base_free(bases[t]);
    }
    crm_segments_partial_free(wire);
    crm_segment_ranker_free(ranker);
    crm_segment_ranker_free(copy);
    crm_segment_ranker_free(NULL);
    CHECK_DONE();
}
