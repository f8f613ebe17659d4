/* Small checking helpers shared by the C tests (header-only, C99). */
#ifndef CRM_TEST_CHECK_H
#define CRM_TEST_CHECK_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm.h"

static int check_failures = 0;

/* Records a failed condition and goes on. */
#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);   \
            check_failures++;                                                          \
        }                                                                              \
    } while (0)

/* A call that must succeed; stops the test otherwise (later checks would crash). */
#define CHECK_OK(call)                                                                             \
    do {                                                                                           \
        crm_result rc_ = (call);                                                                   \
        if (rc_ != CRM_RESULT_OK) {                                                                \
            fprintf(stderr, "%s:%d: %s -> %u (%s): %s\n", __FILE__, __LINE__, #call, (unsigned)rc_, \
                    crm_result_message(rc_), crm_last_error_detail());                             \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)

/* A call that must fail with `expected`, its detail containing `needle` ("" for any). */
#define CHECK_FAILS(call, expected, needle)                                                           \
    do {                                                                                              \
        crm_result rc_ = (call);                                                                      \
        if (rc_ != (expected)) {                                                                      \
            fprintf(stderr, "%s:%d: %s -> %u, expected %u: %s\n", __FILE__, __LINE__, #call,          \
                    (unsigned)rc_, (unsigned)(expected), crm_last_error_detail());                    \
            check_failures++;                                                                         \
        } else if (strstr(crm_last_error_detail(), (needle)) == NULL) {                               \
            fprintf(stderr, "%s:%d: %s: detail \"%s\" lacks \"%s\"\n", __FILE__, __LINE__, #call,     \
                    crm_last_error_detail(), (needle));                                               \
            check_failures++;                                                                         \
        }                                                                                             \
    } while (0)

/* Two doubles equal within 1e-9 (relative to their size). */
#define CHECK_NEAR(a, b) CHECK(fabs((double)(a) - (double)(b)) <= 1e-9 * (1.0 + fabs((double)(b))))

/* Ends a test: 0 when every check passed. */
#define CHECK_DONE()                                                           \
    do {                                                                       \
        if (check_failures) fprintf(stderr, "%d check(s) failed\n", check_failures); \
        return check_failures ? 1 : 0;                                         \
    } while (0)

/* The day number of a calendar date. */
static inline int32_t day(int32_t y, uint32_t m, uint32_t d) {
    int32_t out = 0;
    CHECK_OK(crm_date_from_ymd(y, m, d, &out));
    return out;
}

/* Unix seconds at the start of a calendar date. */
static inline int64_t secs(int32_t y, uint32_t m, uint32_t d) {
    return (int64_t)day(y, m, d) * 86400;
}

/* A crm_str over a NUL-terminated string. */
static inline crm_str str(const char *s) {
    crm_str r;
    r.data = s;
    r.len = strlen(s);
    return r;
}

#endif
