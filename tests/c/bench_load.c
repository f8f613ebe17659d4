/* Bulk-load benchmark of the C API (not part of the test suite): builds a base of
 * 10,000,000 transactions (1,000,000 customers, integer ids, Unix seconds, amounts and
 * margins) through crm_base_builder_add_transactions_int, with the same generated data as
 * crm-ffi/examples/bench_load.rs, and prints the best of 3 load times; then the same rows
 * without margins copied and kept in place (crm_base_builder_keep_transactions_int).
 * Build and compare both with: bash tests/c/bench.sh */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "crm.h"

/* SplitMix64, as in bench_load.rs. */
static uint64_t mix(uint64_t z) {
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Builds a base of the rows (with margins when `margins` is not NULL; kept in place when
 * `keep`) and frees it; the seconds it took, or a negative number when the load failed. */
static double load(const int64_t *ids, const int64_t *times, const double *amounts, const double *margins,
                   size_t rows, int keep, int report) {
    crm_base_builder *b = NULL;
    crm_base *base = NULL;
    double t = now(), secs;
    crm_result rc = crm_base_builder_new(&b);
    if (rc == CRM_RESULT_OK && keep)
        rc = crm_base_builder_keep_transactions_int(b, ids, rows, times, rows, CRM_TIME_UNIT_SECONDS, amounts, rows,
                                                    NULL, NULL);
    else if (rc == CRM_RESULT_OK)
        rc = crm_base_builder_add_transactions_int(b, ids, rows, times, rows, CRM_TIME_UNIT_SECONDS, amounts, rows,
                                                   margins, margins ? rows : 0);
    if (rc == CRM_RESULT_OK) rc = crm_base_builder_build(b, &base);
    secs = now() - t;
    crm_base_builder_free(b);
    if (rc != CRM_RESULT_OK) {
        fprintf(stderr, "load failed: %s: %s\n", crm_result_message(rc), crm_last_error_detail());
        return -1.0;
    }
    if (report)
        printf("c load: %zu customers, %zu transactions in %.3f s\n", crm_base_customer_count(base),
               crm_base_transaction_count(base), secs);
    crm_base_free(base);
    return secs;
}

int main(int argc, char **argv) {
    size_t rows = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 10000000u;
    const int64_t start_2020 = 1577836800;
    const uint64_t span = 5ull * 365 * 86400;
    int64_t *ids = malloc(rows * sizeof *ids);
    int64_t *times = malloc(rows * sizeof *times);
    double *amounts = malloc(rows * sizeof *amounts);
    double *margins = malloc(rows * sizeof *margins);
    double best = 1e300;
    size_t i;
    int run;
    if (!ids || !times || !amounts || !margins) return 1;
    for (i = 0; i < rows; i++) {
        ids[i] = (int64_t)(mix(3 * (uint64_t)i) % 1000000) + 1;
        times[i] = start_2020 + (int64_t)(mix(3 * (uint64_t)i + 1) % span);
        amounts[i] = (double)(mix(3 * (uint64_t)i + 2) % 100000) / 100.0;
        margins[i] = amounts[i] * 0.3;
    }
    for (run = 0; run < 3; run++) {
        double secs = load(ids, times, amounts, margins, rows, 0, 1);
        if (secs < 0) return 1;
        if (secs < best) best = secs;
    }
    printf("c best: %.3f s\n", best);

    /* The same rows without margins, copied (add) and kept in place (keep), alternately,
     * fastest of 3 each: what the build costs when it copies nothing. */
    double fastest[2] = {1e300, 1e300};
    for (run = 0; run < 6; run++) {
        double secs = load(ids, times, amounts, NULL, rows, run % 2, 0);
        if (secs < 0) return 1;
        if (secs < fastest[run % 2]) fastest[run % 2] = secs;
    }
    printf("c without margins, fastest of 3: copied %.3f s, kept %.3f s\n", fastest[0], fastest[1]);
    free(ids);
    free(times);
    free(amounts);
    free(margins);
    return 0;
}
