"""Turn decoded JSON into request dataclasses, and describe them as JSON Schema.

Each annotation is compiled once into a small `Spec` tree that both validates values and
renders its own schema, so `/openapi.json` can never drift from what the server accepts.
Unknown fields are ignored, as the official server ignores them.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import types
import typing
from collections.abc import Callable
from typing import Any, Literal, TypeVar, Union, get_args, get_origin

import orjson

from skeino.errors import InvalidInput

T = TypeVar("T")
Loc = tuple[str | int, ...]


class _Unset(enum.Enum):
    UNSET = "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET = _Unset.UNSET
"""Default for fields where "absent" and "null" mean different things (PATCH bodies)."""
Unset = Literal[_Unset.UNSET]


class ValidationError(InvalidInput):
    """A body did not fit its model; `loc` names the offending field.

    The detail reads like the official server's (JSON Schema wording on the first line),
    then says where: `"x" is not of type "integer"` / `On instance["limit"]`.
    """

    def __init__(self, loc: Loc, message: str) -> None:
        where = "".join(f"[{_show(part)}]" for part in loc)
        super().__init__(f"{message}\n\nOn instance{where}")
        self.loc = loc
        self.message = message


def _show(value: Any) -> str:
    try:
        text = orjson.dumps(value, default=repr).decode()
    except TypeError:  # integers past 64 bits
        text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


class Spec:
    """One compiled annotation: `check` validates and converts, `schema` describes."""

    def check(self, value: Any, loc: Loc) -> Any:
        raise NotImplementedError

    def schema(self) -> dict[str, Any]:
        raise NotImplementedError


class AnySpec(Spec):
    def check(self, value: Any, loc: Loc) -> Any:
        return value

    def schema(self) -> dict[str, Any]:
        return {}


_JSON_NAMES = {str: "string", int: "integer", float: "number", bool: "boolean", type(None): "null"}


class ScalarSpec(Spec):
    """str, int, float, bool or None; bool is never an int here, an int is a float."""

    def __init__(self, kind: type) -> None:
        self.kind = kind

    def check(self, value: Any, loc: Loc) -> Any:
        if self.kind is float and type(value) is int:
            return float(value)
        if type(value) is self.kind or (self.kind is str and isinstance(value, str)):
            return value
        raise ValidationError(loc, f'{_show(value)} is not of type "{_JSON_NAMES[self.kind]}"')

    def schema(self) -> dict[str, Any]:
        return {"type": _JSON_NAMES[self.kind]}


class LiteralSpec(Spec):
    def __init__(self, choices: tuple[Any, ...]) -> None:
        self.choices = choices

    def check(self, value: Any, loc: Loc) -> Any:
        if value in self.choices and type(value) in {type(c) for c in self.choices}:
            return value
        allowed = " or ".join(_show(c) for c in self.choices)
        raise ValidationError(loc, f"{_show(value)} is not one of {allowed}")

    def schema(self) -> dict[str, Any]:
        return {"enum": list(self.choices)}


class ListSpec(Spec):
    def __init__(self, item: Spec) -> None:
        self.item = item

    def check(self, value: Any, loc: Loc) -> Any:
        if not isinstance(value, list):
            raise ValidationError(loc, f'{_show(value)} is not of type "array"')
        if isinstance(self.item, AnySpec):
            return value
        return [self.item.check(v, (*loc, i)) for i, v in enumerate(value)]

    def schema(self) -> dict[str, Any]:
        return {"type": "array", "items": self.item.schema()}


class DictSpec(Spec):
    def __init__(self, value: Spec) -> None:
        self.value = value

    def check(self, value: Any, loc: Loc) -> Any:
        if not isinstance(value, dict):
            raise ValidationError(loc, f'{_show(value)} is not of type "object"')
        if isinstance(self.value, AnySpec):
            return value
        return {k: self.value.check(v, (*loc, k)) for k, v in value.items()}

    def schema(self) -> dict[str, Any]:
        return {"type": "object", "additionalProperties": self.value.schema()}


class UnionSpec(Spec):
    """The first alternative that accepts the value wins, in declaration order."""

    def __init__(self, options: list[Spec]) -> None:
        self.options = options

    def check(self, value: Any, loc: Loc) -> Any:
        errors: list[ValidationError] = []
        for option in self.options:
            try:
                return option.check(value, loc)
            except ValidationError as exc:
                if len(exc.loc) > len(loc) or "required property" in exc.detail:
                    raise  # the value had this option's shape; its inner error is the news
                errors.append(exc)
        if len(errors) == 1:
            raise errors[0]
        types = [o.schema().get("type") for o in self.options]
        if all(isinstance(t, str) for t in types):
            listed = ", ".join(f'"{t}"' for t in types)
            raise ValidationError(loc, f"{_show(value)} is not of types {listed}")
        raise ValidationError(
            loc,
            f"{_show(value)} is not valid under any of the schemas listed in the 'anyOf' keyword",
        )

    def schema(self) -> dict[str, Any]:
        return {"anyOf": [o.schema() for o in self.options]}


@dataclasses.dataclass(frozen=True)
class _Field:
    name: str
    spec: Spec
    default: Callable[[], Any] | None


class ModelSpec(Spec):
    """A dataclass: required fields, defaults, nested models; extra keys ignored."""

    def __init__(self, model: type) -> None:
        self.model = model
        self.fields: list[_Field] = []

    def compile(self) -> None:
        hints = typing.get_type_hints(self.model)
        for f in dataclasses.fields(self.model):
            if f.default is not dataclasses.MISSING:
                default: Callable[[], Any] | None = functools.partial(_same, f.default)
            elif f.default_factory is not dataclasses.MISSING:
                default = f.default_factory
            else:
                default = None
            self.fields.append(_Field(f.name, compile_spec(hints[f.name]), default))

    def check(self, value: Any, loc: Loc) -> Any:
        if not isinstance(value, dict):
            raise ValidationError(loc, f'{_show(value)} is not of type "object"')
        kwargs: dict[str, Any] = {}
        for field in self.fields:
            if field.name in value:
                kwargs[field.name] = field.spec.check(value[field.name], (*loc, field.name))
            elif field.default is None:
                raise ValidationError(loc, f'"{field.name}" is a required property')
        try:
            return self.model(**kwargs)
        except ValueError as exc:
            raise ValidationError(loc, str(exc)) from None

    def schema(self) -> dict[str, Any]:
        return {"$ref": f"#/components/schemas/{self.model.__name__}"}

    def definition(self) -> dict[str, Any]:
        """The full object schema, for the OpenAPI components section."""
        props = {f.name: f.spec.schema() for f in self.fields}
        required = [f.name for f in self.fields if f.default is None]
        doc = (self.model.__doc__ or "").strip().splitlines()
        out: dict[str, Any] = {"type": "object", "properties": props, "title": self.model.__name__}
        if doc and not doc[0].startswith(self.model.__name__ + "("):
            out["description"] = doc[0]
        if required:
            out["required"] = required
        return out


def _same(value: T) -> T:
    return value


_models: dict[type, ModelSpec] = {}


def compile_spec(tp: Any) -> Spec:
    """Compile a type annotation (cached for dataclasses, which may be recursive)."""
    if tp is Any or tp is object:
        return AnySpec()
    if tp in _JSON_NAMES or tp is None:
        return ScalarSpec(type(None) if tp is None else tp)
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        if tp not in _models:
            spec = _models[tp] = ModelSpec(tp)
            spec.compile()
        return _models[tp]
    origin, args = get_origin(tp), get_args(tp)
    if origin is Literal:
        return LiteralSpec(args)
    if origin in (Union, types.UnionType):
        real = [a for a in args if a != Unset]
        return (
            compile_spec(real[0]) if len(real) == 1 else UnionSpec([compile_spec(a) for a in real])
        )
    if origin in (list, tuple, typing.Sequence):
        return ListSpec(compile_spec(args[0]) if args else AnySpec())
    if origin is dict:
        return DictSpec(compile_spec(args[1]) if args else AnySpec())
    if tp is dict:
        return DictSpec(AnySpec())
    if tp is list:
        return ListSpec(AnySpec())
    raise TypeError(f"cannot validate values of type {tp!r}")


def parse(model: type[T], data: Any) -> T:
    """Validate decoded JSON against `model`, returning an instance of it."""
    result: T = compile_spec(model).check(data, ())
    return result


def model_schema(model: type) -> dict[str, Any]:
    """The component schema of a request dataclass."""
    spec = compile_spec(model)
    assert isinstance(spec, ModelSpec)
    return spec.definition()


def parse_query(model: type[T], query: dict[str, list[str]]) -> T:
    """Validate query parameters: strings are coerced to each field's declared type."""
    spec = compile_spec(model)
    assert isinstance(spec, ModelSpec)
    data: dict[str, Any] = {}
    for field in spec.fields:
        if field.name in query:
            data[field.name] = _coerce(field.spec, query[field.name])
    return spec.check(data, ("query",))


def _coerce(spec: Spec, values: list[str]) -> Any:
    if isinstance(spec, ListSpec):
        return [_coerce(spec.item, [v]) for v in values]
    if isinstance(spec, UnionSpec):
        for option in spec.options:
            try:
                return option.check(_coerce(option, values), ())
            except ValidationError:
                continue
        return values[-1]
    raw = values[-1]
    if isinstance(spec, ScalarSpec):
        if spec.kind is bool:
            return {"true": True, "false": False, "1": True, "0": False}.get(raw.lower(), raw)
        if spec.kind in (int, float):
            try:
                return spec.kind(raw)
            except ValueError:
                return raw
    return raw


def reachable_models(model: type) -> list[type]:
    """`model` and every dataclass nested in it, each once (OpenAPI components)."""
    found: dict[type, None] = {}
    pending: list[Spec] = [compile_spec(model)]
    while pending:
        spec = pending.pop()
        if isinstance(spec, ModelSpec):
            if spec.model in found:
                continue
            found[spec.model] = None
            pending += [f.spec for f in spec.fields]
        elif isinstance(spec, ListSpec):
            pending.append(spec.item)
        elif isinstance(spec, DictSpec):
            pending.append(spec.value)
        elif isinstance(spec, UnionSpec):
            pending += spec.options
    return list(found)
