#include "mock_cssm/admin_forms.h"

namespace sl::mock {

AccountFields ReadAccountFields(JsonReader& r) {
  AccountFields fields;
  fields.name = r.String("name", 128);
  fields.export_controlled_allowed = r.OptionalBool("export_controlled_allowed").value_or(true);
  return fields;
}

void WriteAccountFields(JsonWriter& w, const std::string& name, bool export_controlled_allowed) {
  w.Field("name", name).Field("export_controlled_allowed", export_controlled_allowed);
}

void ReadTokenTerms(JsonReader& r, TokenSpec& spec) {
  spec.export_controlled = r.OptionalBool("export_controlled").value_or(false);
  spec.expires_in_days = r.OptionalInt("expires_in_days", 1, 365).value_or(30);
  spec.max_uses = r.OptionalInt("max_uses", 1, 1000000).value_or(1);
}

}  // namespace sl::mock
