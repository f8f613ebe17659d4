/* 300 generated customers for the distributed C tests: 1-6 transactions each from
 * 2022-01-01 over about three years, amounts in steps of 50 with one refund in ten (so
 * customers tie on value across tasks); `build(task)` makes the base of the customers
 * whose number % TASKS == task (TASKS: all of them), `buf` borrows a partial's bytes. */
#ifndef CRM_TESTS_TIED_BASE_H
#define CRM_TESTS_TIED_BASE_H

#include "check.h"

#define CUSTOMERS 300
#define TASKS 3

static uint64_t state = 16;
static uint32_t next(uint32_t n) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)((state >> 33) % n);
}

/* Transactions of customers whose number % TASKS == task (TASKS: all). */
static crm_base *build(int task) {
    static char names[CUSTOMERS][8];
    crm_str ids[CUSTOMERS * 6];
    int64_t days[CUSTOMERS * 6];
    double amounts[CUSTOMERS * 6];
    size_t n = 0;
    int c, k;
    crm_base_builder *b = NULL;
    crm_base *base = NULL;
    state = 16;
    for (c = 0; c < CUSTOMERS; c++) {
        int purchases = 1 + (int)next(6);
        int first = (int)next(900);
        snprintf(names[c], sizeof names[c], "c%03d", c);
        for (k = 0; k < purchases; k++) {
            int64_t d = day(2022, 1, 1) + first + (int64_t)next(400);
            double amount = 50.0 * (1 + next(4)) * (next(10) == 0 ? -1 : 1);
            if (task != TASKS && c % TASKS != task) continue;
            ids[n] = str(names[c]);
            days[n] = d;
            amounts[n] = amount;
            n++;
        }
    }
    CHECK_OK(crm_base_builder_new(&b));
    CHECK_OK(crm_base_builder_add_transactions_str(b, ids, n, days, n, CRM_TIME_UNIT_DAYS, amounts, n, NULL, 0));
    CHECK_OK(crm_base_builder_build(b, &base));
    crm_base_builder_free(b);
    return base;
}

static crm_buf buf(const crm_bytes *b) {
    crm_buf out = {crm_bytes_data(b), crm_bytes_len(b)};
    return out;
}

#endif
