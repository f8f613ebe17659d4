"""The package ships its stubs and py.typed, and the stubs cover the public API."""

import ast
import inspect
from pathlib import Path

import crm
from crm import _crm


def test_py_typed_and_stubs_are_installed():
    package = Path(crm.__file__).parent
    assert (package / "py.typed").exists()
    assert (package / "_crm.pyi").exists()


def test_stubs_cover_the_native_module():
    stub = ast.parse((Path(crm.__file__).parent / "_crm.pyi").read_text())
    names = {n.name for n in stub.body if isinstance(n, (ast.ClassDef, ast.FunctionDef))}
    native = {n for n in dir(_crm) if not n.startswith("_")}
    assert native <= names, native - names
    classes = {n.name: n for n in stub.body if isinstance(n, ast.ClassDef)}

    def members(cls):
        own = {n.name for n in cls.body if isinstance(n, ast.FunctionDef)}
        own |= {t.target.id for t in cls.body if isinstance(t, ast.AnnAssign)}
        for base in cls.bases:
            if isinstance(base, ast.Name) and base.id in classes:
                own |= members(classes[base.id])
        return own

    for name, cls in classes.items():
        public = {m for m in dir(getattr(_crm, name)) if not m.startswith("_")}
        assert public <= members(cls), (name, public - members(cls))


def test_public_api():
    for name in crm.__all__:
        assert hasattr(crm, name), name
    assert "customer_id_col" in inspect.signature(crm.CustomerBase.from_transactions).parameters
    assert "window_days" in inspect.signature(crm.CustomerBase.segments).parameters
