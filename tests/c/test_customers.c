/* The customer table: customers with contact fields, acquisition, marketing permissions and
 * free attributes, added one by one (copied) and in bulk, read back from the base. */
#include "check.h"

#define S(lit) lit, sizeof(lit) - 1

static void check_text(const crm_base *base, size_t index, uint8_t field, const char *expected) {
    const char *data = (const char *)1;
    size_t len = 99;
    CHECK_OK(crm_base_customer_text(base, index, field, &data, &len));
    if (expected == NULL) {
        CHECK(data == NULL && len == 0);
    } else {
        CHECK(len == strlen(expected) && memcmp(data, expected, len) == 0);
    }
}

int main(void) {
    crm_customer *c = NULL;
    crm_base_builder *b = NULL;
    crm_base *base = NULL;
    CHECK_OK(crm_base_builder_new(&b));

    /* Customer 42, a company with everything set. */
    CHECK_OK(crm_customer_new(&c));
    CHECK_OK(crm_customer_set_id_int(c, 42));
    CHECK_OK(crm_customer_set_text(c, CRM_CUSTOMER_FIELD_NAME, S("Acme AB")));
    CHECK_OK(crm_customer_set_text(c, CRM_CUSTOMER_FIELD_EMAIL, S("info@acme.example")));
    CHECK_OK(crm_customer_set_text(c, CRM_CUSTOMER_FIELD_INDUSTRY, S("manufacturing")));
    CHECK_OK(crm_customer_set_text(c, CRM_CUSTOMER_FIELD_CATEGORY, S("business")));
    CHECK_OK(crm_customer_set_text(c, CRM_CUSTOMER_FIELD_ACQUISITION_CHANNEL, S("fair")));
    CHECK_OK(crm_customer_set_text(c, CRM_CUSTOMER_FIELD_PHONE, S("+46 8 123")));
    CHECK_OK(crm_customer_set_text(c, CRM_CUSTOMER_FIELD_PHONE, NULL, 0)); /* cleared again */
    CHECK_OK(crm_customer_set_acquisition_date(c, day(2023, 5, 1)));
    CHECK_OK(crm_customer_set_acquisition_cost(c, 250.0));
    /* E-mail granted, then withdrawn: the latest entry decides. Letters granted. */
    CHECK_OK(crm_customer_add_permission(c, CRM_CHANNEL_EMAIL, true, day(2023, 5, 1)));
    CHECK_OK(crm_customer_add_permission(c, CRM_CHANNEL_EMAIL, false, day(2024, 1, 1)));
    CHECK_OK(crm_customer_add_permission(c, CRM_CHANNEL_LETTER, true, CRM_NO_DATE));
    CHECK_OK(crm_customer_set_attribute_number(c, S("employees"), 120.0));
    CHECK_OK(crm_customer_set_attribute_date(c, S("lease_end"), day(2026, 3, 31)));
    CHECK_OK(crm_customer_set_attribute_bool(c, S("key_account"), true));
    CHECK_OK(crm_customer_set_attribute_text(c, S("region"), S("north")));
    CHECK_OK(crm_base_builder_add_customer(b, c));

    /* The builder copied it: the same handle becomes customer 43, without acquisition. */
    CHECK_OK(crm_customer_set_id_int(c, 43));
    CHECK_OK(crm_customer_set_acquisition_date(c, CRM_NO_DATE));
    CHECK_OK(crm_customer_set_acquisition_cost(c, NAN));
    CHECK_OK(crm_base_builder_add_customer(b, c));
    crm_customer_free(c);

    /* Customer 7 with a name; customer 99 a bare id (a prospect). */
    CHECK_OK(crm_customer_new(&c));
    CHECK_OK(crm_customer_set_id_int(c, 7));
    CHECK_OK(crm_customer_set_text(c, CRM_CUSTOMER_FIELD_NAME, S("Berg & Son")));
    CHECK_OK(crm_base_builder_add_customer(b, c));
    crm_customer_free(c);
    const int64_t prospects[] = {99};
    CHECK_OK(crm_base_builder_add_customers_int(b, prospects, 1));

    const int64_t ids[] = {42, 7, 42};
    const int64_t times[] = {secs(2024, 2, 1), secs(2024, 3, 1), secs(2024, 9, 1)};
    const double amounts[] = {1000.0, 300.0, 500.0};
    CHECK_OK(crm_base_builder_add_transactions_int(b, ids, 3, times, 3, CRM_TIME_UNIT_SECONDS, amounts, 3, NULL, 0));
    CHECK_OK(crm_base_builder_build(b, &base));
    crm_base_builder_free(b);

    /* Customers in id order: 7, 42, 43, 99. */
    CHECK(crm_base_customer_count(base) == 4);
    CHECK(crm_base_has_customer_table(base));
    int64_t order[4];
    CHECK_OK(crm_base_copy_customer_ids(base, order, 4));
    CHECK(order[0] == 7 && order[1] == 42 && order[2] == 43 && order[3] == 99);

    check_text(base, 0, CRM_CUSTOMER_FIELD_NAME, "Berg & Son");
    check_text(base, 0, CRM_CUSTOMER_FIELD_EMAIL, NULL);
    check_text(base, 1, CRM_CUSTOMER_FIELD_NAME, "Acme AB");
    check_text(base, 1, CRM_CUSTOMER_FIELD_EMAIL, "info@acme.example");
    check_text(base, 1, CRM_CUSTOMER_FIELD_INDUSTRY, "manufacturing");
    check_text(base, 1, CRM_CUSTOMER_FIELD_CATEGORY, "business");
    check_text(base, 1, CRM_CUSTOMER_FIELD_ACQUISITION_CHANNEL, "fair");
    check_text(base, 1, CRM_CUSTOMER_FIELD_PHONE, NULL);
    check_text(base, 1, CRM_CUSTOMER_FIELD_ADDRESS, NULL);
    check_text(base, 2, CRM_CUSTOMER_FIELD_NAME, "Acme AB");
    check_text(base, 3, CRM_CUSTOMER_FIELD_NAME, NULL);

    int32_t acquired = 0;
    double cost = 0.0;
    CHECK_OK(crm_base_customer_acquisition(base, 1, &acquired, &cost));
    CHECK(acquired == day(2023, 5, 1) && cost == 250.0);
    CHECK_OK(crm_base_customer_acquisition(base, 2, &acquired, &cost));
    CHECK(acquired == CRM_NO_DATE && isnan(cost));

    bool permits = true;
    CHECK_OK(crm_base_customer_permits(base, 1, CRM_CHANNEL_EMAIL, &permits));
    CHECK(!permits);
    CHECK_OK(crm_base_customer_permits(base, 1, CRM_CHANNEL_LETTER, &permits));
    CHECK(permits);
    CHECK_OK(crm_base_customer_permits(base, 1, CRM_CHANNEL_PHONE, &permits));
    CHECK(!permits);
    CHECK_OK(crm_base_customer_permits(base, 3, CRM_CHANNEL_LETTER, &permits));
    CHECK(!permits);

    crm_attribute a;
    CHECK_OK(crm_base_customer_attribute(base, 1, S("employees"), &a));
    CHECK(a.kind == CRM_ATTRIBUTE_KIND_NUMBER && a.number == 120.0);
    CHECK_OK(crm_base_customer_attribute(base, 1, S("lease_end"), &a));
    CHECK(a.kind == CRM_ATTRIBUTE_KIND_DATE && a.date == day(2026, 3, 31));
    CHECK_OK(crm_base_customer_attribute(base, 1, S("key_account"), &a));
    CHECK(a.kind == CRM_ATTRIBUTE_KIND_BOOL && a.flag);
    CHECK_OK(crm_base_customer_attribute(base, 1, S("region"), &a));
    CHECK(a.kind == CRM_ATTRIBUTE_KIND_TEXT && a.text_len == 5 && memcmp(a.text, "north", 5) == 0);
    CHECK_OK(crm_base_customer_attribute(base, 0, S("region"), &a));
    CHECK(a.kind == CRM_ATTRIBUTE_KIND_NONE);

    /* 43 and 99 never bought: prospects. 42 bought twice this year, 7 once. */
    crm_lifecycle *l = NULL;
    crm_lifecycle_stage stages[4];
    CHECK_OK(crm_lifecycle_new(base, day(2024, 12, 31), NULL, &l));
    CHECK_OK(crm_lifecycle_copy_stages(l, stages, 4));
    CHECK(stages[0] == CRM_LIFECYCLE_STAGE_STARTER && stages[1] == CRM_LIFECYCLE_STAGE_ACTIVE);
    CHECK(stages[2] == CRM_LIFECYCLE_STAGE_PROSPECT && stages[3] == CRM_LIFECYCLE_STAGE_PROSPECT);
    crm_lifecycle_free(l);
    crm_base_free(base);
    CHECK_DONE();
}
