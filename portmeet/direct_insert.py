"""New rows written by one Core INSERT per table and put in the session as if loaded, instead of the ORM's flush.

A registration writes a new row, its private link and its picks under the meeting's lock. The ORM's unit of
work (dependency sorting, cascades, attribute history) spent 1.5 ms of CPU on those three or four rows, where
executing the same INSERTs costs half that (issue 16; benchmarks/profile_registration.py). This writes what the
flush would have written, and no more: each column the object holds, else the column's default (set on the
object too, so nothing is left to load), the keys of the objects its many-to-one relationships point to, and the
parent's key in its children's rows. The objects then join the session as persistent rows; anything changed or
added afterwards is the ORM's flush, as everywhere else.
"""
import functools

from sqlalchemy import insert, inspect
from sqlalchemy.orm import RelationshipDirection, make_transient_to_detached

from portmeet.extensions import db


def _row(obj) -> dict:
    """The row the ORM's flush would write for a new object (primary key left to the database)."""
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
        if prop.key not in held:
            default = column.default
            if (default is None and column.server_default is not None) or \
                    (default is not None and (default.is_clause_element or default.is_sequence)):
                continue  # computed by the database: returned by the INSERT (`_insert`)
            held[prop.key] = None if default is None else default.arg(None) if default.is_callable else default.arg
        values[column.key] = held[prop.key]
    return values


@functools.cache
def _insert_statement(table, returned: tuple[str, ...]):
    return insert(table).returning(*(table.c[key] for key in returned), sort_by_parameter_order=True)


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
    mapper = inspect(objects[0]).mapper
    returned = [column for column in mapper.local_table.columns if column.key not in rows[0]]
    statement = _insert_statement(mapper.local_table, tuple(column.key for column in returned))
    for obj, values in zip(objects, db.session.connection().execute(statement, rows)):
        for column, value in zip(returned, values):
            setattr(obj, mapper.get_property_by_column(column).key, value)


def insert_with_children(parent, *collections: str) -> None:
    """Write a new `parent` (never added to the session) and the new rows of its one-to-many `collections`, then
    add it to the session as a persistent object, its children with it (its other collections must be empty)."""
    _insert([parent])
    mapper = inspect(parent).mapper
    children = []
    for name in collections:
        relationship = mapper.relationships[name]
        rows = list(getattr(parent, name))
        for child in rows:
            child_mapper = inspect(child).mapper
            for local, remote in relationship.local_remote_pairs:
                setattr(child, child_mapper.get_property_by_column(remote).key,
                        getattr(parent, mapper.get_property_by_column(local).key))
        _insert(rows)
        children += rows
    for obj in (parent, *children):
        make_transient_to_detached(obj)
    db.session.add(parent)  # its children follow by cascade, as loaded rows: no INSERT at the next flush
