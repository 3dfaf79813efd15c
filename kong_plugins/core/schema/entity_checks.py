"""Kong's entity checks (``Schema.entity_checkers`` and ``run_entity_check`` in kong/db/schema/init.lua).

Cross-field rules of a record. Kong decides per checker whether it runs when fields are missing or already
invalid, reports fields it needed but did not get as ``field required for entity check``, and puts the
checker's message under ``"@entity"``; ``conditional`` also writes the failing field's own error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Protocol

from kong_plugins.core.errors import ConfigError
from kong_plugins.core.schema.lua import lua_format_s
from kong_plugins.core.schema.values import (
    ENTITY_KEY,
    MESSAGES,
    MISSING,
    REQUIRED_FIELD_MISSING,
    FieldError,
    get_path,
    is_nonempty,
    is_reference,
    lua_eq,
    quoted_list,
    schema_field,
    set_path,
)


class FieldValidator(Protocol):
    """What a check needs from the validator: Kong's ``validate_field``."""

    def field(self, field: Mapping[str, Any], value: Any, chain: bool = False) -> FieldError | None: ...


@dataclass(frozen=True)
class _Checker:
    run_with_missing_fields: bool = False
    run_with_invalid_fields: bool = False
    field_sources: tuple[str, ...] = ()
    required_sources: tuple[str, ...] = ()  # Kong's required_fields, as it actually reads them


_CHECKERS: Final[dict[str, _Checker]] = {
    "at_least_one_of": _Checker(run_with_missing_fields=True, run_with_invalid_fields=True),
    # Kong declares required_fields = { "if_field" } (an array), then indexes it by name: nothing is required
    "conditional_at_least_one_of": _Checker(
        run_with_missing_fields=True,
        run_with_invalid_fields=True,
        field_sources=("if_field", "then_at_least_one_of", "else_then_at_least_one_of"),
    ),
    "only_one_of": _Checker(run_with_invalid_fields=True),
    "distinct": _Checker(run_with_invalid_fields=True),
    "conditional": _Checker(
        run_with_invalid_fields=True, field_sources=("if_field", "then_field"), required_sources=("if_field",)
    ),
    "mutually_required": _Checker(run_with_missing_fields=True),
    "mutually_exclusive": _Checker(run_with_missing_fields=True),
    "mutually_exclusive_sets": _Checker(run_with_missing_fields=True, field_sources=("set1", "set2")),
}


class _EntityCheck:
    """One entity check of one record, with Kong's rules on when it runs and where its errors go."""

    def __init__(
        self,
        validator: FieldValidator,
        record: Mapping[str, Any],
        data: dict[Any, Any],
        errors: dict[Any, Any],
        chain: bool,
    ) -> None:
        self.validator = validator
        self.record = record
        self.data = data
        self.errors = errors
        self.chain = chain

    def run(self, name: str, argument: Any) -> None:
        checker = _CHECKERS.get(name)
        if checker is None:
            raise ConfigError(f"unsupported entity check in schema: {name!r}")
        names, required = self._fields_to_check(checker, argument)
        missing: list[str] = []
        all_missing = True
        all_valid = True
        for field_name in names:
            value = get_path(self.data, field_name)
            if value is MISSING:
                if not checker.run_with_missing_fields and field_name in required:
                    missing.append(field_name)
            else:
                all_missing = False
                spec = schema_field(self.record, field_name) or {}
                if spec.get("type") == "string" and spec.get("referenceable") and is_reference(value):
                    return
            if field_name in self.errors:
                all_valid = False
        if not all_valid and not checker.run_with_invalid_fields:
            return
        if all_missing and not checker.run_with_missing_fields:
            return
        if missing:
            for field_name in missing:
                set_path(self.errors, field_name, MESSAGES["REQUIRED_FOR_ENTITY_CHECK"])
            return
        message = getattr(self, f"_{name}")(argument)
        if message is not None:
            self.errors.setdefault(ENTITY_KEY, []).append(message)

    @staticmethod
    def _fields_to_check(checker: _Checker, argument: Any) -> tuple[list[str], set[str]]:
        if not checker.field_sources:
            return list(argument), set(argument)
        names: list[str] = []
        required: set[str] = set()
        for source in checker.field_sources:
            value = argument.get(source)
            sources = [value] if isinstance(value, str) else list(value or ())
            names.extend(sources)
            if source in checker.required_sources:
                required.update(sources)
        return names, required

    # -- helpers --------------------------------------------------------------------------------------------

    def _nonempty(self, name: str) -> bool:
        return is_nonempty(get_path(self.data, name))

    def _matches(self, field_name: str, conditions: Mapping[str, Any], value: Any) -> bool:
        """Kong's ``validate_field(schema, conditions, value)``; ``conditions`` inherit the field's spec."""
        spec = dict(schema_field(self.record, field_name) or {})
        if "required" not in spec and self.chain and spec.get("type") == "record":
            spec["required"] = True
        return self.validator.field({**spec, **conditions}, value) is None

    # -- the checkers ---------------------------------------------------------------------------------------

    def _at_least_one_of(self, names: list[str]) -> str | None:
        if any(self._nonempty(name) for name in names):
            return None
        return MESSAGES["AT_LEAST_ONE_OF"] % quoted_list(names)

    def _only_one_of(self, names: list[str]) -> str | None:
        if sum(1 for name in names if self._nonempty(name)) == 1:
            return None
        return MESSAGES["ONLY_ONE_OF"] % quoted_list(names)

    def _distinct(self, names: list[str]) -> str | None:
        seen: list[Any] = []
        for name in names:
            value = get_path(self.data, name)
            if is_nonempty(value):
                if any(lua_eq(value, other) for other in seen):
                    return MESSAGES["DISTINCT"] % quoted_list(names)
                seen.append(value)
        return None

    def _mutually_required(self, names: list[str]) -> str | None:
        count = sum(1 for name in names if self._nonempty(name))
        if count in (0, len(names)):
            return None
        return MESSAGES["MUTUALLY_REQUIRED"] % quoted_list(names)

    def _mutually_exclusive(self, names: list[str]) -> str | None:
        if sum(1 for name in names if self._nonempty(name)) <= 1:
            return None
        return MESSAGES["MUTUALLY_EXCLUSIVE"] % quoted_list(names)

    def _mutually_exclusive_sets(self, argument: Mapping[str, Any]) -> str | None:
        first = [name for name in argument["set1"] if self._nonempty(name)]
        second = [name for name in argument["set2"] if self._nonempty(name)]
        if first and second:
            return MESSAGES["MUTUALLY_EXCLUSIVE_SETS"] % f"({quoted_list(first)}), ({quoted_list(second)})"
        return None

    def _conditional(self, argument: Mapping[str, Any]) -> str | None:
        if_field, then_field = argument["if_field"], argument["then_field"]
        if_value = get_path(self.data, if_field)
        then_value = get_path(self.data, then_field)
        if then_value is MISSING:
            then_value = None
        if not self._matches(if_field, argument["if_match"], if_value):
            return None
        then_spec = {**(schema_field(self.record, then_field) or {}), **argument["then_match"]}
        if then_spec.get("required") is True and then_value is None:
            set_path(self.errors, then_field, REQUIRED_FIELD_MISSING)
            return MESSAGES["CONDITIONAL"] % if_field
        error = self.validator.field(then_spec, then_value)
        if error is None:
            return None
        set_path(self.errors, then_field, error)
        then_err = argument.get("then_err")
        return lua_format_s(then_err, if_field) if then_err else MESSAGES["CONDITIONAL"] % if_field

    def _conditional_at_least_one_of(self, argument: Mapping[str, Any]) -> str | None:
        if_field = argument["if_field"]
        if_value = get_path(self.data, if_field)
        if if_value is MISSING:
            return None
        if self._matches(if_field, argument["if_match"], if_value):
            names, custom = argument.get("then_at_least_one_of") or [], argument.get("then_err")
        else:
            else_match = argument.get("else_match")
            if else_match is None or not self._matches(if_field, else_match, if_value):
                return None
            names, custom = argument.get("else_then_at_least_one_of") or [], argument.get("else_then_err")
        if any(self._nonempty(name) for name in names):
            return None
        listed = quoted_list(names)
        return lua_format_s(custom, listed) if custom else MESSAGES["CONDITIONAL_AT_LEAST_ONE_OF"] % listed


def run_entity_check(
    validator: FieldValidator,
    record: Mapping[str, Any],
    data: dict[Any, Any],
    errors: dict[Any, Any],
    chain: bool,
    check: Mapping[str, Any],
) -> None:
    """Run one ``{checker: argument}`` of ``record`` over ``data``, adding to ``errors`` in place."""
    (name, argument), *_ = check.items()
    if argument is not None:
        _EntityCheck(validator, record, data, errors, chain).run(name, argument)
