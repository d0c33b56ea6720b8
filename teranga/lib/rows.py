"""Whole model rows read and written in plain SQL, for the few statements that run on every
request of a hot path (a kiosk's ticket: its token, the ticket and its event).

The ORM builds and compiles its SQL anew on every call: on the ticket path that cost several
times the database's own work. Here the SQL is written once per model and the values go
through Django's own conversions (`get_db_prep_save` on the way in, the backend's and the
field's converters on the way out), so the instances are the ones the ORM would give.
Model signals are not sent: use these only for models without receivers.
"""

import weakref

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model

# Per database connection (one per thread): model -> its fields' output converters.
_converters: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_inserts: dict[tuple[type[Model], str], tuple[str, list]] = {}


def columns(model: type[Model], alias: str) -> str:
    """The select list of every concrete column of `model` (table aliased `alias`), in the
    order `instance()` reads them."""
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    return ", ".join(f"{alias}.{quote(f.column)}" for f in model._meta.concrete_fields)


def _field_converters(connection, model: type[Model]) -> list[tuple[int, object, list]]:
    per_model = _converters.setdefault(connection, {})
    found = per_model.get(model)
    if found is None:
        found = []
        for i, field in enumerate(model._meta.concrete_fields):
            col = field.cached_col
            functions = connection.ops.get_db_converters(col) + field.get_db_converters(connection)
            if functions:
                found.append((i, col, functions))
        per_model[model] = found
    return found


def instance(model: type[Model], row, start: int = 0) -> Model:
    """The instance of `model` whose columns (in `columns()` order) start at row[start]."""
    connection = connections[DEFAULT_DB_ALIAS]
    values = list(row[start : start + len(model._meta.concrete_fields)])
    for i, col, functions in _field_converters(connection, model):
        for convert in functions:
            values[i] = convert(values[i], col, connection)
    return model.from_db(connection.alias, None, values)


def one_with_related(sql: str, params, model: type[Model], related: str) -> Model | None:
    """The first row of `sql` (selecting `columns(model)` then `columns()` of the model of
    its foreign key `related`) as an instance with that related instance loaded, or None."""
    connection = connections[DEFAULT_DB_ALIAS]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    obj = instance(model, row)
    field = model._meta.get_field(related)
    field.set_cached_value(
        obj, instance(field.related_model, row, len(model._meta.concrete_fields))
    )
    return obj


def insert_statement(
    obj: Model, exprs: dict[str, str] | None = None, source: str = ""
) -> tuple[str, list]:
    """The INSERT of a new instance (every concrete field but its automatic primary key) as SQL
    and parameters, returning the primary key. A column named in `exprs` takes that SQL
    expression instead of the instance's value, read from `source` (the statement becomes
    INSERT … SELECT … FROM source): how a statement writes a row from another's RETURNING."""
    model = type(obj)
    connection = connections[DEFAULT_DB_ALIAS]
    exprs = exprs or {}
    key = (model, connection.vendor, tuple(exprs.items()), source)
    if key not in _inserts:
        quote = connection.ops.quote_name
        fields = [f for f in model._meta.concrete_fields if f is not model._meta.auto_field]
        values = ", ".join(exprs.get(f.column, "%s") for f in fields)
        sql = (
            f"INSERT INTO {quote(model._meta.db_table)} "
            f"({', '.join(quote(f.column) for f in fields)}) "
            + (f"SELECT {values} FROM {source} " if exprs else f"VALUES ({values}) ")
            + f"RETURNING {quote(model._meta.pk.column)}"
        )
        _inserts[key] = (sql, [f for f in fields if f.column not in exprs])
    sql, fields = _inserts[key]
    return sql, [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]


def inserted(obj: Model, pk) -> Model:
    """Mark an instance written by `insert_statement` as saved under this primary key."""
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = DEFAULT_DB_ALIAS
    return obj


def insert(obj: Model) -> Model:
    """INSERT a new instance and set its primary key. Runs in the caller's transaction."""
    sql, params = insert_statement(obj)
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(sql, params)
        return inserted(obj, cursor.fetchone()[0])


def converter(model: type[Model], name: str):
    """The function that turns a column's raw value, as the database driver reads it, into the
    ORM's (e.g. SQLite's text into an aware datetime)."""
    connection = connections[DEFAULT_DB_ALIAS]
    field = model._meta.get_field(name)
    col = field.cached_col
    functions = connection.ops.get_db_converters(col) + field.get_db_converters(connection)

    def convert(raw):
        for function in functions:
            raw = function(raw, col, connection)
        return raw

    return convert
