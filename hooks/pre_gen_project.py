"""Check every answer before anything is generated, and report all problems at once.

Cookiecutter renders this file with Jinja and runs it after creating the (empty) project
directory; when it exits with status 1, cookiecutter deletes that directory, so bad answers
leave nothing behind. Each problem is one line of standard error:

    variable: 'value': what is wrong; what to do

Jinja appears only inside the string literals of RENDERED_ANSWERS, so this file is plain Python
before rendering too: the template's tests import it and call `validate` directly.
"""

import datetime
import json
import keyword
import re
import shlex
import sys
import unicodedata
from collections import Counter
from collections.abc import Callable, Mapping
from typing import NamedTuple

# --- The answers, filled in by cookiecutter's Jinja pass, in prompt order -----------------------

# Each answer arrives as JSON text in a raw triple-quoted string: JSON escapes every quote and
# backslash inside the value, and the spaces keep the JSON's closing quote apart from the
# string's own, so no answer can end the string early.
RENDERED_ANSWERS = {
    "project_name": r""" {{ cookiecutter.project_name | tojson }} """,
    "project_slug": r""" {{ cookiecutter.project_slug | tojson }} """,
    "package_name": r""" {{ cookiecutter.package_name | tojson }} """,
    "task": r""" {{ cookiecutter.task | tojson }} """,
    "description": r""" {{ cookiecutter.description | tojson }} """,
    "trigger": r""" {{ cookiecutter.trigger | tojson }} """,
    "batch_size": r""" {{ cookiecutter.batch_size | tojson }} """,
    "max_receive_count": r""" {{ cookiecutter.max_receive_count | tojson }} """,
    "sqs_maximum_concurrency": r""" {{ cookiecutter.sqs_maximum_concurrency | tojson }} """,
    "schedule_expression": r""" {{ cookiecutter.schedule_expression | tojson }} """,
    "event_pattern": r""" {{ cookiecutter.event_pattern | tojson }} """,
    "s3_prefix": r""" {{ cookiecutter.s3_prefix | tojson }} """,
    "s3_suffix": r""" {{ cookiecutter.s3_suffix | tojson }} """,
    "secret_name": r""" {{ cookiecutter.secret_name | tojson }} """,
    "secret_ttl_seconds": r""" {{ cookiecutter.secret_ttl_seconds | tojson }} """,
    "env_vars": r""" {{ cookiecutter.env_vars | tojson }} """,
    "idempotency": r""" {{ cookiecutter.idempotency | tojson }} """,
    "cold_start": r""" {{ cookiecutter.cold_start | tojson }} """,
    "provisioned_concurrency": r""" {{ cookiecutter.provisioned_concurrency | tojson }} """,
    "python_version": r""" {{ cookiecutter.python_version | tojson }} """,
    "architecture": r""" {{ cookiecutter.architecture | tojson }} """,
    "tracing": r""" {{ cookiecutter.tracing | tojson }} """,
    "catalog_entry": r""" {{ cookiecutter.catalog_entry | tojson }} """,
    "catalog_owner": r""" {{ cookiecutter.catalog_owner | tojson }} """,
    "aws_region": r""" {{ cookiecutter.aws_region | tojson }} """,
    "memory_size": r""" {{ cookiecutter.memory_size | tojson }} """,
    "timeout": r""" {{ cookiecutter.timeout | tojson }} """,
    "reserved_concurrency": r""" {{ cookiecutter.reserved_concurrency | tojson }} """,
    "log_retention_days": r""" {{ cookiecutter.log_retention_days | tojson }} """,
    "alarm_email": r""" {{ cookiecutter.alarm_email | tojson }} """,
    "author_name": r""" {{ cookiecutter.author_name | tojson }} """,
    "author_email": r""" {{ cookiecutter.author_email | tojson }} """,
}
# Where this generation came from and goes to, as cookiecutter records them, to print the command
# that runs it again (cruft and other callers may not set them: they render as null).
RENDERED_GENERATION = {
    "template": r""" {{ cookiecutter._template | default(none) | tojson }} """,
    "checkout": r""" {{ cookiecutter._checkout | default(none) | tojson }} """,
    "output_dir": r""" {{ cookiecutter._output_dir | default(none) | tojson }} """,
}


# --- Limits, each from the service that enforces it -------------------------------------------

CHOICES = {
    "task": ("http_delivery", "blank"),
    "trigger": ("sqs", "schedule", "eventbridge", "s3", "sns", "invoke"),
    # Lambda's Python runtimes that AWS still supports; python3.11 and older are deprecated.
    "python_version": ("3.14", "3.13", "3.12"),
    "architecture": ("arm64", "x86_64"),
    "idempotency": ("on", "off"),
    "tracing": ("off", "on"),
    "cold_start": ("none", "snapstart", "provisioned"),
    # The only values CloudWatch Logs accepts for RetentionInDays.
    "log_retention_days": (
        "30", "1", "3", "5", "7", "14", "60", "90", "120", "150", "180", "365", "400", "545",
        "731", "1096", "1827", "2192", "2557", "2922", "3288", "3653",
    ),
    "catalog_entry": ("none", "backstage"),
}  # fmt: skip
CHOICE_NOTES = {
    "python_version": "AWS has deprecated the python3.11 runtime and older",
}

POOL_RULE = (
    "Lambda keeps 100 of an account's 1000 concurrent executions unreserved, so a deploy asking"
    " for more fails; with a raised quota, set it in template.yaml after baking"
)
# variable: (minimum, maximum, unit, where the range comes from, an example)
WHOLE_NUMBERS = {
    "memory_size": (128, 10_240, "MB", "Lambda's memory range", "256"),
    "timeout": (1, 900, "seconds", "Lambda stops a function after at most 15 minutes", "30"),
    "batch_size": (1, 10_000, "records", "Lambda's batch limit for a standard SQS queue", "10"),
    "max_receive_count": (1, 1_000, "deliveries", "the range of an SQS redrive policy", "5"),
    "secret_ttl_seconds": (1, 86_400, "seconds", "at most a day, so a rotated key is picked up", "300"),
    # Lambda's default concurrency quota is 1000 per account and Region, and it keeps 100 of it
    # unreserved for functions without reserved concurrency: reserved and provisioned concurrency
    # can each be at most the unreserved concurrency minus 100, 900 on a default account
    # (Lambda Developer Guide, "Configuring reserved concurrency" and "Configuring provisioned
    # concurrency"). A larger answer would fail the deploy.
    "provisioned_concurrency": (1, 900, "containers", POOL_RULE, "2"),
    "reserved_concurrency": (1, 900, "invocations", POOL_RULE, "50"),
    # An SQS event source's ScalingConfig accepts 2 to 1000.
    "sqs_maximum_concurrency": (2, 1_000, "invocations", "what an SQS trigger accepts", "10"),
}

# Python runtimes and Regions where Lambda offers SnapStart, as cfn-lint 1.58 checks them (rules
# E2530 and W2530: python3.12 and newer; the Regions below).
SNAPSTART_PYTHON_VERSIONS = frozenset({"3.12", "3.13", "3.14"})
SNAPSTART_REGIONS = frozenset({
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "af-south-1", "ap-east-1", "ap-south-1",
    "ap-south-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-southeast-1",
    "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-7",
    "ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2", "eu-west-1", "eu-west-2",
    "eu-west-3", "eu-south-1", "eu-south-2", "eu-north-1", "me-south-1", "me-central-1",
    "il-central-1", "mx-central-1", "sa-east-1",
})  # fmt: skip

# cookiecutter.json's project_slug for a name with no letter or digit to make one from (a blank
# one included, which the hook then refuses by name): cookiecutter makes the project's directory
# before this hook runs, and an empty slug would name the current one.
UNNAMED_SLUG = "unnamed-project"
NAME_MAX = 100  # project and author names: a name, not a paragraph (GitHub's repository-name limit)
DESCRIPTION_MAX = 256  # the Description of a Lambda function
# The slug names the stacks "<slug>-dev" and "<slug>-prod", and CloudFormation names what it
# creates "<stack>-<logical id>-<12 random characters>". At 40, "<slug>-prod" (45) leaves room in a
# 64-character name for the suffix and a short logical ID; longer ones are cut, and the deploy
# role scopes such names by what is left of the stack's name (deploy-roles.yaml, GeneratedNames).
PROJECT_SLUG_MAX = 40
EMAIL_MAX = 254  # the longest address SMTP can carry
SECRET_NAME_MAX = 512
SCHEDULE_EXPRESSION_MAX = 256  # EventBridge Scheduler's limit for ScheduleExpression
EVENT_PATTERN_MAX = 4096  # EventBridge's limit for a rule's EventPattern
S3_KEY_BYTES_MAX = 1024  # the longest object key S3 accepts, so the longest useful filter

SLUG = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
PACKAGE = re.compile(r"[a-z][a-z0-9_]*")
EMAIL = re.compile(
    r"[A-Za-z0-9_%+'-]+(?:\.[A-Za-z0-9_%+'-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)
# A Backstage entity reference to a group or user, [kind:][namespace/]name, with the catalog's
# own rules (@backstage/catalog-model's KubernetesValidatorFunctions): a namespace is a DNS label,
# a name letters, digits and inner "-", "_" or "."; each at most 63 characters (checked apart).
# The kind, lowercase as Backstage writes it, defaults to group.
CATALOG_OWNER = re.compile(
    r"(?:(?:group|user):)?(?:(?P<namespace>[a-z0-9]+(?:-+[a-z0-9]+)*)/)?"
    r"(?P<name>(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])"
)
CATALOG_PART_MAX = 63
REGION = re.compile(r"[a-z]{2}(?:-[a-z]+)+-[0-9]{1,2}")
SECRET_NAME = re.compile(r"[A-Za-z0-9/_+=.@-]+")
# Secrets Manager ends every secret's ARN with "-" and six random characters; a name that already
# ends like that makes lookups by partial ARN ambiguous.
SECRET_SUFFIX_LOOKALIKE = re.compile(r"-[A-Za-z0-9]{6}\Z")

# Top-level import names the generated project depends on (runtime, the AWS runtime interface
# client, dev tools and what they import) and its own top-level folders: a package with one of
# these names would shadow it, or be shadowed by it.
TAKEN_IMPORT_NAMES = frozenset({
    "httpx", "httpcore", "h11", "anyio", "sniffio", "certifi", "idna", "typing_extensions",
    "boto3", "botocore", "s3transfer", "jmespath", "urllib3", "dateutil", "six", "awslambdaric",
    "moto", "werkzeug", "flask", "jinja2", "markupsafe", "requests", "responses", "yaml",
    "cryptography", "xmltodict", "pytest", "_pytest", "pluggy", "iniconfig", "packaging", "ruff",
    "local", "tests",
})  # fmt: skip
# Modules of the newest runtime that older Pythons running cookiecutter do not list.
NEWER_STDLIB = frozenset({"annotationlib", "compression"})

# --- schedule_expression and event_pattern ----------------------------------------------------

SCHEDULE_EXAMPLES = "e.g. rate(5 minutes), cron(0 8 * * ? *) or at(2030-01-01T09:00:00)"
RATE = re.compile(r"rate\((?P<value>[0-9]+) (?P<unit>minutes?|hours?|days?)\)")
CRON = re.compile(r"cron\((?P<fields>[^()]*)\)")
AT = re.compile(r"at\((?P<when>[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2})\)")
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
WEEKDAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")


class CronField(NamedTuple):
    """One of the six fields of a cron expression, as EventBridge defines it."""

    name: str
    minimum: int
    maximum: int
    names: tuple[str, ...]  # names that stand for minimum, minimum + 1, ...
    specials: str  # characters allowed besides digits, names, "," "-" "*" "/"


CRON_FIELDS = (
    CronField("minutes", 0, 59, (), ""),
    CronField("hours", 0, 23, (), ""),
    CronField("day-of-month", 1, 31, (), "?LW"),
    CronField("month", 1, 12, MONTHS, ""),
    CronField("day-of-week", 1, 7, WEEKDAYS, "?L#"),
    CronField("year", 1970, 2199, (), ""),
)

# --- env_vars ---------------------------------------------------------------------------------

# Lambda's key rule ([a-zA-Z][a-zA-Z0-9_]+) in POSIX upper case.
ENV_NAME = re.compile(r"[A-Z][A-Z0-9_]+")
# Set by Lambda itself; a function configuration that sets one is refused. (Lambda's _HANDLER and
# _X_AMZN_TRACE_ID are excluded by ENV_NAME already: a name must start with a letter.)
LAMBDA_RESERVED = frozenset({
    "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR", "TZ",
})  # fmt: skip
# Prefixes of names whose meaning AWS owns: the SDK reads AWS_* (AWS_ENDPOINT_URL, AWS_MAX_ATTEMPTS)
# and Lambda adds new AWS_LAMBDA_* and LAMBDA_* names over time.
AWS_PREFIXES = ("AWS_", "LAMBDA_")
# Names that change how the process or Python behaves: not settings of the task.
PROCESS_NAMES = frozenset({"PATH", "LANG", "LD_LIBRARY_PATH", "HOME", "TMPDIR"})
PROCESS_PREFIXES = ("PYTHON", "LC_")
# Variables the template sets or reads itself (see the README's settings table).
TEMPLATE_NAMES = frozenset({
    "TARGET_URL", "SECRET_NAME", "SECRET_TTL_SECONDS", "TARGET_TIMEOUT_SECONDS", "MAX_CONCURRENCY",
    "AWS_ENDPOINT_URL", "IDEMPOTENCY_TABLE_NAME",
})  # fmt: skip
# Credentials belong in Secrets Manager, where access is logged and limited; anyone who can read
# the function's configuration reads its environment. A name that only points at a credential
# (..._SECRET_NAME, ..._TOKEN_URL) is fine.
# Names are compared in upper case, so that a refused lower-case name is masked as well.
# Words that make a name a credential's wherever they stand in it...
CREDENTIAL_WORDS = (
    "PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "TOKEN", "CREDENTIAL", "API_KEY", "APIKEY",
    "PRIVATE_KEY", "ACCESS_KEY",
)  # fmt: skip
# ...words that do as a whole part between underscores (DB_PASS, AUTH_HEADER, not BYPASS)...
CREDENTIAL_PARTS = ("PASS", "PWD", "AUTH", "AUTHORIZATION", "BEARER", "COOKIE")
# ...and KEY as the last part (STRIPE_KEY, ENCRYPTION_KEY), unless the key is data's.
DATA_KEY_WORDS = (
    "PARTITION", "SORT", "HASH", "RANGE", "PRIMARY", "OBJECT", "ROUTING", "CACHE", "IDEMPOTENCY",
    "DEDUPLICATION", "GROUP", "SHARD", "INDEX", "LOOKUP", "S3", "BUCKET", "KMS",
)  # fmt: skip
# A name ending so points at a credential or describes how one is used, and holds none:
# DB_PASSWORD_SECRET_NAME, AUTH_ISSUER, COOKIE_DOMAIN.
EXEMPT_SUFFIXES = (
    "_NAME", "_ARN", "_URL", "_URI", "_ID", "_ISSUER", "_AUDIENCE", "_DOMAIN", "_MODE", "_TYPE",
    "_ENABLED", "_SCOPE", "_SCOPES", "_REGION", "_TIMEOUT", "_SECONDS", "_SECURE", "_PATH",
    "_HOST", "_PORT", "_VERSION", "_TTL",
)  # fmt: skip
# Values of well-known secret shapes, whatever their name: refused, and never shown. A shape
# starts a word, so task_test_x is no Stripe key. (No \s in them, which JavaScript reads
# otherwise, and no comma: a value holds none.)
CREDENTIAL_SHAPES = {
    "an AWS access key id": r"(?<![A-Za-z0-9_])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}",
    "a GitHub token": r"(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{22,})",
    "a Stripe key": r"(?<![A-Za-z0-9_])[rs]k_(?:live|test)_[A-Za-z0-9]{10,}",
    "a Slack token": r"(?<![A-Za-z0-9_])xox[abposr]-[A-Za-z0-9-]{10,}",
    "a Google API key": r"(?<![A-Za-z0-9_])AIza[0-9A-Za-z_-]{35}",
    "a JSON Web Token": r"(?<![A-Za-z0-9_])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}",
    "a private key": r"-----BEGIN [A-Z ]*PRIVATE KEY-----",
    "a URL with a password in it": r"[A-Za-z][A-Za-z0-9+.-]*://[^/:@ ?#]+:[^/@ ?#]+@",
}
# Lambda caps all of a function's variables together (names and values) at 4 KB.
ENV_BYTES_MAX = 4096
# Room kept for the template's own variables: their names and small values (about 210 bytes,
# some of it spare since the secrets extension's three went), SECRET_NAME holding the secret's ARN (about 90
# bytes around the name) and TARGET_URL, which is chosen at deploy time (512 bytes kept for
# it), and IDEMPOTENCY_TABLE_NAME with the name CloudFormation gives the table (about 100 bytes).
OWN_ENV_BYTES = 210 + 90 + 512 + 100

# Built with "+" so that Jinja, which renders this file, does not read them as its own syntax.
JINJA_OPENERS = ("{" + "{", "{" + "%", "{" + "#")
# Bidirectional-text controls: they can make a generated file read differently from what it is.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
UNPRINTABLE_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})  # controls, lone surrogates, line breaks


class Problem(NamedTuple):
    """One bad answer: which variable, the offending value, and what is wrong; what to do."""

    variable: str
    value: str
    message: str

    def __str__(self) -> str:
        """Format as one line: repr() escapes line breaks, and a long value is cut short."""
        if len(self.value) <= 60:
            shown = repr(self.value)
        else:
            shown = f"{self.value[:50]!r}... ({len(self.value)} characters)"
        return f"{self.variable}: {shown}: {self.message}"


# --- Checks: each returns what is wrong and what to do, or None -------------------------------


def unprintable(value: str) -> str | None:
    """Describe the first control, line-break or bidi character in ``value``, or return None."""
    for char in value:
        if unicodedata.category(char) in UNPRINTABLE_CATEGORIES or char in BIDI_CONTROLS:
            return f"contains {char!r} (U+{ord(char):04X})"
    return None


def check_one_line(value: str, *, maximum: int, required: bool, why: str) -> str | None:
    """Check free text that is written into YAML, TOML, Python and Markdown as one line."""
    if required and not value.strip():
        return "must not be empty; give a value"
    if len(value) > maximum:
        return f"is {len(value)} characters, at most {maximum} are allowed ({why}); shorten it"
    found = unprintable(value)
    if found:
        return f"{found}; write it as one line of printable text"
    return None


def check_project_name(value: str) -> str | None:
    return check_one_line(value, maximum=NAME_MAX, required=True, why="it is the README's heading")


def check_description(value: str) -> str | None:
    # One line, no tabs: it is the function's and the stack's description, the summary in
    # pyproject.toml and the README's first paragraph, where a line break has no place.
    return check_one_line(
        value, maximum=DESCRIPTION_MAX, required=False, why="Lambda's limit for a description"
    )


def check_author_name(value: str) -> str | None:
    problem = check_one_line(value, maximum=NAME_MAX, required=True, why="a name, not a paragraph")
    if problem is None and "," in value:
        problem = "contains a comma, which pyproject.toml forbids in an author's name (PEP 621); leave it out"
    return problem


def check_email(value: str) -> str | None:
    if len(value) > EMAIL_MAX or not EMAIL.fullmatch(value) or len(value.partition("@")[0]) > 64:
        return "is not an e-mail address; give one like name@example.com"
    return None


def check_alarm_email(value: str) -> str | None:
    return check_email(value) if value else None


def check_catalog_owner(value: str) -> str | None:
    reference = CATALOG_OWNER.fullmatch(value)
    if reference and max(len(part or "") for part in reference.groups()) > CATALOG_PART_MAX:
        return f"has a namespace or name longer than {CATALOG_PART_MAX} characters, the catalog's limit"
    if not reference:
        return (
            "is not a reference to a Backstage group or user; give [group: or user:][namespace/]name,"
            " e.g. group:default/payments"
        )
    return None


def check_project_slug(value: str) -> str | None:
    if not value:
        return "is empty (project_name has no letters or digits to derive it from); pass project_slug=my-task"
    if not SLUG.fullmatch(value):
        suggestion = re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-").lstrip("0123456789-")
        example = f"e.g. {suggestion!r}" if SLUG.fullmatch(suggestion) else "e.g. 'my-task'"
        return (
            "must be lowercase letters, digits and single hyphens, start with a letter and not end"
            f" with a hyphen (it names the directory and the CloudFormation stacks); {example}"
        )
    if len(value) > PROJECT_SLUG_MAX:
        return (
            f"is {len(value)} characters, at most {PROJECT_SLUG_MAX} (it names the stacks '<slug>-dev' and"
            " '<slug>-prod', and CloudFormation names what they create after them); shorten it"
        )
    return None


def check_package_name(value: str) -> str | None:
    if not PACKAGE.fullmatch(value):
        suggestion = re.sub(r"[^a-z0-9]+", "_", value.lower()).strip("_").lstrip("0123456789_")
        example = suggestion if PACKAGE.fullmatch(suggestion) else "my_task"
        return (
            "must be a Python package name: lowercase ASCII letters, digits and '_', starting with a"
            f" letter; e.g. package_name={example}"
        )
    fix = f"pass another package_name, e.g. {value}_task"
    if keyword.iskeyword(value) or keyword.issoftkeyword(value):
        return f"is a Python keyword; {fix}"
    if value in sys.stdlib_module_names or value in NEWER_STDLIB:
        return f"is a standard-library module, which the package would shadow; {fix}"
    if value in TAKEN_IMPORT_NAMES:
        return f"is the import name of a dependency or a folder of the generated project; {fix}"
    return None


def check_aws_region(value: str) -> str | None:
    if not REGION.fullmatch(value):
        return "is not an AWS Region code; give one like us-east-1 or eu-west-1"
    return None


def check_secret_name(value: str) -> str | None:
    if value.startswith("arn:"):
        return (
            "is an ARN; give the name of the secret the stack creates (to use an existing secret,"
            " deploy with the ExistingSecretArn parameter instead)"
        )
    if not value:
        return None  # no secret: the project has no Secrets Manager secret, permission or cache
    if not value.strip():
        return "is only blank space; give a name (e.g. 'my-task/api-key'), or leave it empty for no secret"
    if len(value) > SECRET_NAME_MAX:
        return f"is {len(value)} characters, Secrets Manager allows at most {SECRET_NAME_MAX}; shorten it"
    if not SECRET_NAME.fullmatch(value):
        bad = sorted({char for char in value if not SECRET_NAME.fullmatch(char)})
        return (
            f"contains {' '.join(map(repr, bad))}, but Secrets Manager allows only ASCII letters,"
            " digits and / _ + = . @ -; replace it (e.g. with '-' or '/')"
        )
    if value.lower().startswith("aws/"):
        return "starts with 'aws/', which is reserved for secrets AWS services create; choose another prefix"
    if SECRET_SUFFIX_LOOKALIKE.search(value):
        return (
            "ends with '-' and six characters, like the random suffix Secrets Manager adds to every"
            " ARN, which makes partial-ARN lookups ambiguous; change the ending (e.g. add '-key')"
        )
    return None


def check_schedule_expression(value: str) -> str | None:
    if len(value) > SCHEDULE_EXPRESSION_MAX:
        return f"is {len(value)} characters, EventBridge Scheduler allows {SCHEDULE_EXPRESSION_MAX}; {SCHEDULE_EXAMPLES}"
    if rate := RATE.fullmatch(value):
        number, unit = int(rate["value"]), rate["unit"]
        if number < 1:
            return f"a rate must be at least 1; {SCHEDULE_EXAMPLES}"
        if (number == 1) != (not unit.endswith("s")):
            fixed = unit.rstrip("s") if number == 1 else f"{unit}s"
            return f"EventBridge wants a singular unit for 1 and a plural one otherwise; write rate({number} {fixed})"
        return None
    if cron := CRON.fullmatch(value):
        return cron_problem(cron["fields"])
    if at := AT.fullmatch(value):
        try:
            datetime.datetime.fromisoformat(at["when"])
        except ValueError:
            return "is not a real date and time; write at(yyyy-mm-ddThh:mm:ss), e.g. at(2030-01-01T09:00:00)"
        return None
    return f"is not a rate(), cron() or at() expression; {SCHEDULE_EXAMPLES}"


def cron_problem(fields: str) -> str | None:
    """Say what is wrong with the fields of cron(...) and what to do, or return None."""
    parts = fields.split(" ")
    if len(parts) != len(CRON_FIELDS):
        names = " ".join(field.name for field in CRON_FIELDS)
        return f"cron() takes 6 fields separated by single spaces ({names}), this has {len(parts)}; e.g. cron(0 8 * * ? *)"
    for field, part in zip(CRON_FIELDS, parts, strict=True):
        problem = cron_field_problem(field, part)
        if problem:
            return f"the {field.name} field {part!r} {problem}"
    day_of_month, day_of_week = parts[2], parts[4]
    if (day_of_month == "?") == (day_of_week == "?"):
        # The example keeps the day that was given and frees the other one.
        if day_of_week == "?":
            parts[2] = "*"
        elif day_of_month != "*" and day_of_week == "*":
            parts[4] = "?"
        else:
            parts[2] = "?"
        return (
            "give '?' in exactly one of day-of-month and day-of-week (EventBridge cannot use both);"
            f" e.g. cron({' '.join(parts)})"
        )
    return None


def cron_field_problem(field: CronField, text: str) -> str | None:
    """Say what is wrong with one cron field, or return None."""
    for item in text.split(","):
        base, _, step = item.partition("/")
        if step and not (step.isdigit() and int(step) >= 1):
            return "has a step that is not a whole number of 1 or more; e.g. */5"
        if base == "*" or (base in {"?", "L", "LW"} and set(base) <= set(field.specials)):
            continue
        values = base
        if "W" in field.specials:  # day-of-month: 15W is the weekday nearest the 15th
            values = values.removesuffix("W")
        if "#" in field.specials:  # day-of-week: 6#3 is the month's third Friday, 6L its last
            values = values.partition("#")[0].removesuffix("L")
        for value in values.split("-") if values else [""]:
            if value.upper() in field.names:
                continue
            if not value.isdigit() or not field.minimum <= int(value) <= field.maximum:
                allowed = f"{field.minimum}-{field.maximum}"
                if field.names:
                    allowed += f" or {field.names[0]}-{field.names[-1]}"
                return (
                    f"must use values {allowed}, with , - * / {' '.join(field.specials)}".rstrip()
                    + "; see cron() in the EventBridge Scheduler documentation"
                )
    return None


def check_event_pattern(value: str) -> str | None:
    example = 'e.g. {"source": ["com.example.orders"]}'
    try:
        pattern = json.loads(value)
    except ValueError as error:
        return f"is not JSON ({error}); write an object of arrays, {example}"
    if not isinstance(pattern, dict) or not pattern:
        return f"must be a JSON object with at least one field to match; {example}"
    problem = pattern_problem(pattern, "")
    if problem:
        return problem
    if len(value) > EVENT_PATTERN_MAX:
        return f"is {len(value)} characters, EventBridge allows {EVENT_PATTERN_MAX}; match fewer values"
    return None


def pattern_problem(pattern: dict, path: str) -> str | None:
    """Check that every field of an event pattern holds a list of matchers or a nested pattern."""
    for key, matchers in pattern.items():
        where = f"{path}.{key}" if path else key
        if isinstance(matchers, dict) and matchers:
            problem = pattern_problem(matchers, where)
            if problem:
                return problem
        elif matchers in ([], {}):
            return f"field {where!r} is empty, so it matches no event; give at least one value to match"
        elif not isinstance(matchers, list):
            return (
                f"field {where!r} must hold a non-empty array of values to match (or an object of"
                f" such fields); EventBridge does not match a bare value: write [{json.dumps(matchers)}]"
            )
        found = unprintable(json.dumps(matchers, ensure_ascii=False)) or unprintable(key)
        if found:
            return f"field {where!r} {found}; write printable text"
    return None


def check_s3_filter(value: str) -> str | None:
    if len(value.encode()) > S3_KEY_BYTES_MAX:
        return (
            f"is {len(value.encode())} bytes, longer than any S3 object key ({S3_KEY_BYTES_MAX}); shorten it"
        )
    found = unprintable(value)
    if found:
        return f"{found}; write printable text"
    return None


def check_s3_prefix(value: str) -> str | None:
    if value.startswith("/"):
        return f"starts with '/', but S3 keys do not (a console folder 'incoming' is the prefix 'incoming/'); write {value.lstrip('/')!r}"
    return check_s3_filter(value)


def whole_number_check(variable: str) -> Callable[[str], str | None]:
    """Return the check of a whole-number answer from its row in WHOLE_NUMBERS."""
    minimum, maximum, unit, why, example = WHOLE_NUMBERS[variable]

    def check(value: str) -> str | None:
        # ASCII digits only: no sign, spaces, decimals or units, which Jinja's `int` would misread.
        if not re.fullmatch(r"[0-9]+", value):
            return f"must be a whole number of {unit}, digits only; e.g. {example}"
        if not minimum <= int(value) <= maximum:
            return f"must be from {minimum} to {maximum} {unit} ({why}); e.g. {example}"
        return None

    return check


def optional(check: Callable[[str], str | None]) -> Callable[[str], str | None]:
    """Return ``check`` for an answer that may also be empty (not set)."""

    def check_unless_empty(value: str) -> str | None:
        return check(value) if value else None

    return check_unless_empty


def choice_check(variable: str) -> Callable[[str], str | None]:
    """Return the check of an answer that must be one of CHOICES[variable]."""
    choices = CHOICES[variable]
    note = f" ({CHOICE_NOTES[variable]})" if variable in CHOICE_NOTES else ""

    def check(value: str) -> str | None:
        if value not in choices:
            return f"is not offered{note}; choose one of {', '.join(choices)}"
        return None

    return check


def env_var_problems(env_vars: str, secret_name: str) -> list[tuple[str, str]]:
    """Check the env_vars answer: "NAME=value" pairs separated by commas.

    Returns:
        (the offending pair or answer, what is wrong; what to do) for every problem found.
    """
    problems: list[tuple[str, str]] = []
    settings: list[tuple[str, str]] = []
    # Split exactly as the generated files do: on commas, then at the first "=", trimming spaces.
    for index, pair in enumerate((pair.strip() for pair in env_vars.split(",")), start=1):
        if not pair:
            continue
        name, equals, value = (part.strip() for part in pair.partition("="))
        if not equals:
            # Most often a piece of a value that held a comma: maybe a password's, so not shown.
            problem = "is not NAME=value; separate NAME=value pairs with commas (so no value can contain one)"
            problems.append((f"piece {index} (not shown)", problem))
            continue
        settings.append((name, value))
        problem = env_name_problem(name)
        if problem is None:
            found = unprintable(value)
            problem = f"the value {found}; give a value of printable text" if found else None
        if problem is None and (kind := credential_shape(value)):
            problem = (
                f"the value looks like {kind}, and environment variables are readable by anyone"
                " who can read the function's configuration; keep it in Secrets Manager and pass"
                f" only its name here (e.g. {name}_SECRET_NAME=...)"
            )
        if problem:
            # Never echo what may be a credential into a terminal or a CI log.
            problems.append((f"{name}=***" if is_hidden(name, value) else pair, problem))
    for name, count in Counter(name for name, _ in settings).items():
        if count > 1:
            problems.append((name, f"is given {count} times; give each name once"))
    size = sum(len(name.encode()) + len(value.encode()) for name, value in settings)
    budget = ENV_BYTES_MAX - OWN_ENV_BYTES - len(secret_name.encode())
    if size > budget:
        problems.append((
            ",".join(name for name, _ in settings),  # the names only: values may be long
            f"the settings take {size} bytes, but Lambda allows 4 KB for all variables and the template's own"
            f" need about {ENV_BYTES_MAX - budget}, which leaves {budget}; keep large values in a file or"
            " in Secrets Manager and put their names here",
        ))  # fmt: skip
    return problems


def looks_like_credential(name: str) -> bool:
    """Tell whether an env_vars NAME reads like a credential rather than a pointer to one."""
    name = name.strip().upper()
    if name.endswith(EXEMPT_SUFFIXES):
        return False
    parts = name.split("_")
    return (
        any(word in name for word in CREDENTIAL_WORDS)
        or any(part in CREDENTIAL_PARTS for part in parts)
        or (parts[-1] == "KEY" and (len(parts) == 1 or parts[-2] not in DATA_KEY_WORDS))
    )


def credential_shape(value: str) -> str | None:
    """What well-known kind of secret ``value`` holds (an AWS access key id, say), if any."""
    for kind, shape in CREDENTIAL_SHAPES.items():
        if re.search(shape, value):
            return kind
    return None


def is_hidden(name: str, value: str) -> bool:
    """Whether a NAME=value pair of env_vars may hold a credential, and so is never shown."""
    return looks_like_credential(name) or credential_shape(value) is not None


def env_name_problem(name: str) -> str | None:
    """Say what is wrong with one NAME of env_vars and what to do, or return None."""
    if looks_like_credential(name):
        upper = name.upper()
        return (
            f"{upper} looks like a credential, and environment variables are readable by anyone who"
            " can read the function's configuration; keep it in Secrets Manager and pass only its"
            f" name here (e.g. {upper}_SECRET_NAME=...)"
        )
    if not ENV_NAME.fullmatch(name):
        fix = f"write it as {name.upper()!r}" if ENV_NAME.fullmatch(name.upper()) else "e.g. 'API_REGION'"
        return (
            "the name must be upper-case letters, digits and '_', start with a letter and be at least"
            f" 2 characters long (POSIX names, as Lambda requires); {fix}"
        )
    if name in LAMBDA_RESERVED:
        return f"{name} is reserved by Lambda, which sets it itself; choose another name"
    if name in TEMPLATE_NAMES:
        return f"{name} is set by the template itself (see the README's settings); choose another name"
    if name.startswith(AWS_PREFIXES):
        return f"names starting {' or '.join(AWS_PREFIXES)} belong to AWS (Lambda and the AWS SDK read them); use another prefix, e.g. APP_"
    if name in PROCESS_NAMES or name.startswith(PROCESS_PREFIXES):
        return f"{name} changes how the runtime or Python behaves, it is not a setting of the task; choose another name"
    if keyword.iskeyword(name.lower()):
        return f"it becomes settings.{name.lower()}, a Python keyword; choose another name"
    return None


# One check per answer but env_vars, which `validate` checks pair by pair.
CHECKS: dict[str, Callable[[str], str | None]] = {
    "project_name": check_project_name,
    "project_slug": check_project_slug,
    "package_name": check_package_name,
    "task": choice_check("task"),
    "description": check_description,
    "author_name": check_author_name,
    "author_email": check_email,
    "trigger": choice_check("trigger"),
    "python_version": choice_check("python_version"),
    "architecture": choice_check("architecture"),
    "aws_region": check_aws_region,
    "memory_size": whole_number_check("memory_size"),
    "timeout": whole_number_check("timeout"),
    "batch_size": whole_number_check("batch_size"),
    "max_receive_count": whole_number_check("max_receive_count"),
    "schedule_expression": check_schedule_expression,
    "event_pattern": check_event_pattern,
    "s3_prefix": check_s3_prefix,
    "s3_suffix": check_s3_filter,
    "secret_name": check_secret_name,
    "secret_ttl_seconds": whole_number_check("secret_ttl_seconds"),
    "idempotency": choice_check("idempotency"),
    "tracing": choice_check("tracing"),
    "cold_start": choice_check("cold_start"),
    "provisioned_concurrency": whole_number_check("provisioned_concurrency"),
    "reserved_concurrency": optional(whole_number_check("reserved_concurrency")),
    "sqs_maximum_concurrency": optional(whole_number_check("sqs_maximum_concurrency")),
    "log_retention_days": choice_check("log_retention_days"),
    "alarm_email": check_alarm_email,
    "catalog_entry": choice_check("catalog_entry"),
    "catalog_owner": check_catalog_owner,
}


# The answers that cross_problems compares.
CROSS_CHECKED = frozenset({
    "trigger", "python_version", "aws_region", "cold_start", "provisioned_concurrency",
    "reserved_concurrency", "sqs_maximum_concurrency",
})  # fmt: skip


def cross_problems(answers: Mapping[str, str]) -> list[Problem]:
    """Check the rules between answers, once each answer is valid on its own.

    Returns:
        One `Problem` per broken rule, on the variable whose answer to change.
    """
    problems: list[Problem] = []
    cold_start = answers["cold_start"]
    reserved = answers["reserved_concurrency"]
    if cold_start == "snapstart":
        if answers["python_version"] not in SNAPSTART_PYTHON_VERSIONS:
            problems.append(Problem(
                "cold_start", cold_start,
                f"Lambda does not offer SnapStart for python{answers['python_version']}; choose"
                f" python_version {' or '.join(sorted(SNAPSTART_PYTHON_VERSIONS))}, or another cold_start",
            ))  # fmt: skip
        if answers["aws_region"] not in SNAPSTART_REGIONS:
            problems.append(Problem(
                "cold_start", cold_start,
                f"Lambda does not offer SnapStart in {answers['aws_region']}; choose cold_start none"
                " or provisioned, or another aws_region",
            ))  # fmt: skip
    provisioned = answers["provisioned_concurrency"]
    if cold_start == "provisioned" and reserved and int(provisioned) > int(reserved):
        problems.append(Problem(
            "provisioned_concurrency", provisioned,
            f"is more than reserved_concurrency ({reserved}), and Lambda cannot keep ready more"
            " containers than the function may run; lower it or raise reserved_concurrency",
        ))  # fmt: skip
    maximum = answers["sqs_maximum_concurrency"]
    # Another trigger ignores it, as it does batch_size: an interactive run does not even ask it,
    # so a value from a user config must not refuse the bake.
    if answers["trigger"] == "sqs" and maximum and reserved and int(maximum) > int(reserved):
        problems.append(Problem(
            "sqs_maximum_concurrency", maximum,
            f"is more than reserved_concurrency ({reserved}): Lambda would throttle the batches"
            " the queue starts beyond it, which uses up their receive counts; make it at most"
            f" {reserved}, or leave it empty",
        ))  # fmt: skip
    return problems


def validate(answers: Mapping[str, str]) -> list[str]:
    """Return one line per problem in ``answers`` (a value for every variable), in prompt order."""
    problems: list[Problem] = []
    for variable in RENDERED_ANSWERS:
        value = answers[variable]
        opener = next((opener for opener in JINJA_OPENERS if opener in value), None)
        if opener:
            # Updating a project (cruft update, a replay) renders the answers again, so Jinja
            # syntax in one would change meaning or fail later.
            problems.append(
                Problem(
                    variable,
                    shown_answer(variable, value),
                    f"contains {opener!r}, which is template syntax; leave it out",
                )
            )
        elif variable == "env_vars":
            problems.extend(
                Problem(variable, *found) for found in env_var_problems(value, answers["secret_name"])
            )
        else:
            message = CHECKS[variable](value)
            if message:
                problems.append(Problem(variable, value, message))
    # The rules between answers are checked between answers that are valid on their own.
    if not {problem.variable for problem in problems} & CROSS_CHECKED:
        problems.extend(cross_problems(answers))
    problems.sort(key=lambda problem: list(RENDERED_ANSWERS).index(problem.variable))
    return [str(problem) for problem in problems]


# The defaults cookiecutter.json derives from other answers (a test holds these to it): an answer
# equal to its derivation is left out of the rerun command, so that it follows a corrected one.
TASK_DESCRIPTIONS = {
    "http_delivery": "Delivers each message it receives to an HTTP endpoint.",
    "blank": "Runs one task for each message it receives.",
}


def derived_defaults(answers: Mapping[str, str]) -> dict[str, str]:
    """What cookiecutter.json would derive for the derived answers from the others."""
    derived = {
        "package_name": answers["project_slug"].replace("-", "_"),
        "description": TASK_DESCRIPTIONS.get(answers["task"], ""),
        "secret_name": f"{answers['project_slug']}/target-api-key"
        if answers["task"] == "http_delivery"
        else "",
    }
    try:  # cookiecutter's own slugify, from the environment that runs cookiecutter (and this hook)
        from slugify import slugify

        derived["project_slug"] = slugify(answers["project_name"], max_length=100) or UNNAMED_SLUG
    except ImportError:  # then project_slug is given as it was
        pass
    return derived


def shown_answer(name: str, value: str) -> str:
    """The answer as the rerun command gives it: a credential or an unprintable value is not shown."""
    if unprintable(value):
        return "<correct this: it holds a line break or a control character>"
    if name == "env_vars":
        return ",".join(shown_pair(pair) for pair in value.split(","))
    return value


def shown_pair(pair: str) -> str:
    """One piece of env_vars as the rerun command gives it: never a credential, nor a piece
    without "=", which may be the rest of a value that held a comma."""
    key, equals, value = pair.partition("=")
    if not pair.strip():
        return pair
    if not equals:
        return "<not NAME=value: correct or leave out>"
    if is_hidden(key, value):
        return f"{key}=<a credential: leave it out>"
    return pair


def rerun_command(
    answers: Mapping[str, str], refused: list[str], generation: Mapping[str, str | None]
) -> str:
    """Return a shell command that generates again, non-interactively, with ``answers``.

    Every answer is shell-quoted whole (``'name=value'``), so spaces, quotes, ``$`` and backticks
    reach cookiecutter unchanged; one per line, so a refused one is easy to edit. A derived answer
    equal to its derivation is left out, so that it follows the answers it comes from.
    """
    command = ["cookiecutter", "--no-input"]
    if generation.get("checkout"):
        command += ["--checkout", str(generation["checkout"])]
    if generation.get("output_dir"):
        command += ["--output-dir", str(generation["output_dir"])]
    command.append(str(generation.get("template") or "<where this template is>"))
    derived = derived_defaults(answers)
    lines = [shlex.join(command)]
    for name, value in answers.items():
        if name in refused or derived.get(name) != value:
            lines.append(shlex.quote(f"{name}={shown_answer(name, value)}"))
    return " \\\n    ".join(lines)


def main() -> int:
    """Validate the rendered answers; print every problem to standard error and return 1 if any."""
    # Answers from a config file may be numbers; the checks read them as the text they render to.
    answers = {name: str(json.loads(text)) for name, text in RENDERED_ANSWERS.items()}
    problems = validate(answers)
    if not problems:
        return 0
    print(f"Cannot generate the project: {len(problems)} problem(s) with the answers.", file=sys.stderr)
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)
    # Each problem starts with its variable's name, in prompt order.
    refused = list(dict.fromkeys(problem.split(":", 1)[0] for problem in problems))
    generation = {name: json.loads(text) for name, text in RENDERED_GENERATION.items()}
    print(
        f"Nothing was generated. To generate again with the same answers, correct {', '.join(refused)}"
        " in this command and run it:",
        file=sys.stderr,
    )
    print(rerun_command(answers, refused, generation), file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
