"""New rows written by direct INSERTs and put in the session as if loaded, instead of by the ORM's flush.

A registration writes a new row, its private link and its picks under the meeting's lock. The ORM's unit of
work (dependency sorting, cascades, attribute history) spent 1.5 ms of CPU on those three or four rows, where
executing the same INSERTs costs half that (issue 16; benchmarks/profile_registration.py). This writes what the
flush would have written, and no more: each column the object holds, else the column's default (set on the
object too, so nothing is left to load), the keys of the objects its many-to-one relationships point to, and the
parent's key in its children's rows. The objects then join the session as persistent rows; anything changed or
added afterwards is the ORM's flush, as everywhere else; a rollback takes them out of the session again.

On PostgreSQL a parent and its children go in one statement, each row an INSERT of its own in a WITH clause, the
children naming their parent by its INSERT's returned key: one round trip instead of one per table. Those INSERTs
are made under the meeting's lock, which every other registration waits for: each round trip saved shortens
every registration's wait (benchmarks/profile_registration.py prints how long the lock is held). SQLite (the
development database) cannot put an INSERT in a WITH clause and gets one statement per table.
"""
import functools
from collections.abc import Sequence

from sqlalchemy import bindparam, event, insert, inspect, select
from sqlalchemy.orm import RelationshipDirection, Session, make_transient_to_detached

from portmeet.extensions import db

_INSERTED = "portmeet_direct_inserts"  # session.info: the objects written here in its current transaction


def _row(obj) -> dict:
    """The row the ORM's flush would write for a new object (primary key left to the database). Like the flush,
    a column given no value, or None where it has a default, takes its default; one with neither is left out
    of the INSERT (NULL, never JSON's `null`)."""
    state = inspect(obj)
    mapper, held = state.mapper, state.dict
    values = {}
    for relationship in mapper.relationships:
        target = held.get(relationship.key)
        if relationship.direction is RelationshipDirection.MANYTOONE and target is not None:
            for local, remote in relationship.local_remote_pairs:
                held[mapper.get_property_by_column(local).key] = getattr(
                    target, inspect(target).mapper.get_property_by_column(remote).key)
    for prop in mapper.column_attrs:
        column = prop.columns[0]
        if column.table is not mapper.local_table or (column.primary_key and held.get(prop.key) is None):
            continue
        default = column.default
        if held.get(prop.key) is None and (prop.key not in held or default is not None
                                           or column.server_default is not None):
            if default is None and column.server_default is None:
                held[prop.key] = None  # NULL: nothing to write, nothing to load
                continue
            if default is None or default.is_clause_element or default.is_sequence:
                continue  # computed by the database: returned by the INSERT (`_insert`)
            held[prop.key] = default.arg(None) if default.is_callable else default.arg
        values[column.key] = held[prop.key]
    return values


@functools.cache
def _insert_statement(table, returned: tuple[str, ...]):
    return insert(table).returning(*(table.c[key] for key in returned), sort_by_parameter_order=True)


def _returned_columns(obj) -> list:
    """The columns of a new object's row that the database fills in (its primary key, server defaults): those it
    holds no value for once `_row` has given it every value the INSERT writes."""
    state = inspect(obj)
    mapper = state.mapper
    return [column for column in mapper.local_table.columns if mapper.get_property_by_column(column).key not in state.dict]


def _set_returned(obj, columns: list, values) -> None:
    mapper = inspect(obj).mapper
    for column, value in zip(columns, values):
        setattr(obj, mapper.get_property_by_column(column).key, value)


def _insert(objects: list) -> None:
    """INSERT new objects of one class in one statement (one each if they hold different columns); their primary
    keys, and what the database filled in, come back in order and are set on them."""
    if not objects:
        return
    rows = [_row(obj) for obj in objects]
    if any(row.keys() != rows[0].keys() for row in rows):
        for obj in objects:
            _insert([obj])
        return
    returned = _returned_columns(objects[0])
    statement = _insert_statement(inspect(objects[0]).mapper.local_table, tuple(column.key for column in returned))
    for obj, values in zip(objects, db.session.connection().execute(statement, rows)):
        _set_returned(obj, returned, values)


def _key_pairs(relationship) -> tuple[tuple[str, str], ...]:
    """(parent column, child column) of a one-to-many relationship: the child's foreign key and what it names."""
    return tuple((local.key, remote.key) for local, remote in relationship.local_remote_pairs)


@functools.lru_cache(maxsize=64)
def _one_statement(parent_table, parent_columns: tuple, parent_returned: tuple, children: tuple):
    """`WITH parent AS (INSERT … RETURNING …), child_0 AS (INSERT … VALUES ((SELECT id FROM parent), …)), …
    SELECT` every returned column. `children`: (table, columns given, (parent column, foreign key) pairs, returned
    columns) for each child row. The values are bound parameters `parent_<column>`, `child<N>_<column>`; built
    once per shape (SQLAlchemy then caches its SQL)."""
    def values(table, prefix: str, columns: tuple) -> dict:
        return {key: bindparam(f"{prefix}_{key}", type_=table.c[key].type) for key in columns}

    parent = insert(parent_table).values(values(parent_table, "parent", parent_columns)) \
        .returning(*(parent_table.c[key] for key in parent_returned)).cte("parent")
    results = [select(parent.c[key]).scalar_subquery() for key in parent_returned]
    for number, (table, columns, key_pairs, returned) in enumerate(children):
        row = values(table, f"child{number}", columns)
        row.update({foreign: select(parent.c[key]).scalar_subquery() for key, foreign in key_pairs})
        child = insert(table).values(row).returning(*(table.c[key] for key in returned)).cte(f"child_{number}")
        results += [select(child.c[key]).scalar_subquery() for key in returned]
    return select(*results)


def _insert_in_one_statement(parent, children: list[tuple]) -> None:
    """PostgreSQL: the parent and its children (`(key pairs, child)`, see `_key_pairs`) in one statement (module
    docstring)."""
    parent_row, parent_returned = _row(parent), _returned_columns(parent)
    params = {f"parent_{key}": value for key, value in parent_row.items()}
    shape, returned_by_child = [], []
    for number, (key_pairs, child) in enumerate(children):
        foreign_keys = {foreign for _key, foreign in key_pairs}
        row = {key: value for key, value in _row(child).items() if key not in foreign_keys}
        returned = [column for column in _returned_columns(child) if column.key not in foreign_keys]
        params.update({f"child{number}_{key}": value for key, value in row.items()})
        shape.append((child.__table__, tuple(row), key_pairs, tuple(column.key for column in returned)))
        returned_by_child.append(returned)
    statement = _one_statement(parent.__table__, tuple(parent_row), tuple(column.key for column in parent_returned),
                               tuple(shape))
    values = list(db.session.connection().execute(statement, params).one())
    _set_returned(parent, parent_returned, values[:len(parent_returned)])
    del values[:len(parent_returned)]
    for (_key_pairs, child), returned in zip(children, returned_by_child):
        _set_returned(child, returned, values[:len(returned)])
        del values[:len(returned)]


def _give_parent_key(parent, children: list[tuple]) -> None:
    """The parent's key in its children's foreign keys, as the flush sets them."""
    mapper = inspect(parent).mapper
    for key_pairs, child in children:
        child_mapper = inspect(child).mapper
        for key, foreign in key_pairs:
            setattr(child, child_mapper.get_property_by_column(child.__table__.c[foreign]).key,
                    getattr(parent, mapper.get_property_by_column(parent.__table__.c[key]).key))


def insert_with_children(parent, *collections: str, naming_it: Sequence[tuple[object, str]] = ()) -> None:
    """Write a new `parent` (never added to the session) and the new rows of its one-to-many `collections`, then
    add it to the session as a persistent object, its children with it (its other collections must be empty).
    `naming_it`: more new objects (each with the name of its column that holds the parent's primary key, a plain
    column with no relationship), written with it and added to the session too."""
    mapper = inspect(parent).mapper
    (parent_key,) = (column.key for column in mapper.primary_key)
    children = [(_key_pairs(mapper.relationships[name]), child) for name in collections for child in getattr(parent, name)]
    others = [(((parent_key, column),), obj) for obj, column in naming_it]
    if children and db.session.connection().dialect.name == "postgresql":
        _insert_in_one_statement(parent, children + others)
        _give_parent_key(parent, children + others)
    else:
        _insert([parent])
        _give_parent_key(parent, children + others)
        for name in collections:
            _insert(list(getattr(parent, name)))
        for _pairs, obj in others:
            _insert([obj])
    written = [parent, *(child for _pairs, child in children + others)]
    for obj in written:
        make_transient_to_detached(obj)
    db.session.add(parent)  # its children follow by cascade, as loaded rows: no INSERT at the next flush
    for _pairs, obj in others:
        db.session.add(obj)
    db.session.info.setdefault(_INSERTED, []).extend(written)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    """Rolled back, these rows never existed: out of the session with them, as the ORM does with the pending
    objects of a rolled-back flush (else their ids, which SQLite hands out again, would clash with the next
    rows'). The project uses no savepoints; a rollback to one would leave them in."""
    for obj in session.info.pop(_INSERTED, ()):
        if obj in session:
            session.expunge(obj)


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    session.info.pop(_INSERTED, None)
