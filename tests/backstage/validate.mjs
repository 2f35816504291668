// Checks backstage/template.yaml as Backstage would: the catalog's entity policies, then the
// scaffolder's Template v1beta3 schema; then each form page as a JSON Schema (draft-07, which the
// scaffolder's form, react-jsonschema-form with Ajv 8, uses) against the values given.
// Reads {"entity": {...}, "values": [{...}, ...]} on stdin; writes the problems found as JSON.
import { readFileSync } from "node:fs";
import Ajv from "ajv";
import {
  DefaultNamespaceEntityPolicy,
  EntityPolicies,
  FieldFormatEntityPolicy,
  NoForeignRootFieldsEntityPolicy,
  SchemaValidEntityPolicy,
} from "@backstage/catalog-model";
import { templateEntityV1beta3Validator } from "@backstage/plugin-scaffolder-common";

const { entity, values } = JSON.parse(readFileSync(0, "utf8"));
const problems = { entity: [], values: [] };

const policies = EntityPolicies.allOf([
  new DefaultNamespaceEntityPolicy(),
  new NoForeignRootFieldsEntityPolicy(),
  new FieldFormatEntityPolicy(),
  new SchemaValidEntityPolicy(),
]);
try {
  await policies.enforce(structuredClone(entity));
  if (!(await templateEntityV1beta3Validator.check(structuredClone(entity)))) {
    problems.entity.push("not a scaffolder.backstage.io/v1beta3 Template");
  }
} catch (error) {
  problems.entity.push(String(error.message ?? error));
}

// The form's own keywords (ui:*) are not JSON Schema: strict mode would refuse them.
const ajv = new Ajv({ strict: false, allErrors: true });
const pages = entity.spec.parameters.map((page) => ajv.compile(page));
for (const value of values) {
  problems.values.push(
    pages.flatMap((validate) =>
      validate(value) ? [] : validate.errors.map((e) => `${e.instancePath} ${e.message}`),
    ),
  );
}
process.stdout.write(JSON.stringify(problems));
