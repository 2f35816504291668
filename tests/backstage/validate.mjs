// Checks backstage/template.yaml as Backstage would: the catalog's entity policies, then the
// scaffolder's Template v1beta3 schema; then each form page as a JSON Schema (draft-07, which the
// scaffolder's form, react-jsonschema-form with Ajv 8, uses) against the values given; then each
// baked project's catalog-info.yaml, as a Component.
// Reads {"entity": {...}, "values": [{...}, ...], "components": [{...}, ...]} on stdin; writes
// the problems found as JSON.
import { readFileSync } from "node:fs";
import Ajv from "ajv";
import {
  componentEntityV1alpha1Validator,
  DefaultNamespaceEntityPolicy,
  EntityPolicies,
  FieldFormatEntityPolicy,
  NoForeignRootFieldsEntityPolicy,
  SchemaValidEntityPolicy,
} from "@backstage/catalog-model";
import { templateEntityV1beta3Validator } from "@backstage/plugin-scaffolder-common";

const { entity, values, components = [] } = JSON.parse(readFileSync(0, "utf8"));
const problems = { entity: [], values: [], components: [] };

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
for (const component of components) {
  try {
    await policies.enforce(structuredClone(component));
    const valid = await componentEntityV1alpha1Validator.check(structuredClone(component));
    problems.components.push(valid ? [] : ["not a backstage.io/v1alpha1 Component"]);
  } catch (error) {
    problems.components.push([String(error.message ?? error)]);
  }
}
process.stdout.write(JSON.stringify(problems));
