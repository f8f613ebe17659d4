/* The version string and macros agree with the crate version. */
#include <stdio.h>
#include <string.h>
#include "crm.h"

int main(void) {
    char expected[32];
    snprintf(expected, sizeof expected, "%d.%d.%d", CRM_VERSION_MAJOR, CRM_VERSION_MINOR, CRM_VERSION_PATCH);
    if (strcmp(crm_version(), expected) != 0 || strcmp(CRM_VERSION_STRING, expected) != 0) {
        fprintf(stderr, "version mismatch: %s vs %s\n", crm_version(), expected);
        return 1;
    }
    return 0;
}
