"""The wheel holds no Python: its `alembic-fix` is the C++ binary, built with CMake in
build-static/ with -DALEMBIC_FIX_STATIC=ON (it needs only glibc, see cmake/static.cmake), so pip
puts it on a virtualenv's PATH on a machine without the build's libraries. The man page goes to
share/man/man1, where man finds it from the venv's bin/. CMAKE_ARGS adds arguments to the
configure step, as for scripts/setup.sh."""
import os
import re
import shlex
import subprocess
import tempfile

from setuptools import setup
from distutils.command.build_scripts import build_scripts  # setuptools' copy, imported after it
from wheel.bdist_wheel import bdist_wheel

source = os.path.dirname(os.path.abspath(__file__))
static_build = os.path.join(source, "build-static")
os.makedirs(static_build, exist_ok=True)  # setuptools' own files go there too, and it checks the folder exists
# The grammar tarball a normal build already fetched (and checked), so no second npm download.
grammar = os.path.join(source, "build", "_deps", "tree-sitter-python")


def project_version():
    """The one version, from CMakeLists.txt's project()."""
    with open(os.path.join(source, "CMakeLists.txt")) as f:
        return re.search(r"project\(alembic-fix VERSION (\d+\.\d+\.\d+)", f.read()).group(1)


class BuildStaticBinary(build_scripts):
    """Builds (incrementally) and installs the static alembic-fix where the wheel's scripts go."""

    def run(self):
        configure = ["cmake", "-S", source, "-B", static_build, "-DALEMBIC_FIX_STATIC=ON",
                     "-DBUILD_TESTING=OFF", "-DCMAKE_BUILD_TYPE=Release"]
        if os.path.isdir(grammar) and not os.path.exists(os.path.join(static_build, "CMakeCache.txt")):
            tarballs = sorted(f for f in os.listdir(grammar) if f.endswith(".tgz"))
            configure += [f"-DTSP_TARBALL={os.path.join(grammar, tarballs[-1])}"] if tarballs else []
        subprocess.run(configure + shlex.split(os.environ.get("CMAKE_ARGS", "")), check=True)
        jobs = os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL", str(os.cpu_count() or 1))
        subprocess.run(["cmake", "--build", static_build, "--target", "alembic-fix", "-j", jobs], check=True)
        with tempfile.TemporaryDirectory() as prefix:
            subprocess.run(["cmake", "--install", static_build, "--prefix", prefix, "--strip"],
                           check=True, stdout=subprocess.DEVNULL)
            self.mkpath(self.build_dir)
            self.copy_file(os.path.join(prefix, "bin", "alembic-fix"), self.build_dir, preserve_mode=True)


class NativeWheel(bdist_wheel):
    """py3-none-<platform>: any Python will do, but the binary is for this platform."""

    def finalize_options(self):
        super().finalize_options()
        self.root_is_pure = False

    def get_tag(self):
        return "py3", "none", super().get_tag()[2]


setup(
    version=project_version(),
    packages=[],
    scripts=["alembic-fix"],  # stands for the binary BuildStaticBinary puts in place
    data_files=[("share/man/man1", ["docs/alembic-fix.1"])],
    cmdclass={"build_scripts": BuildStaticBinary, "bdist_wheel": NativeWheel},
    options={"build": {"build_base": os.path.join(static_build, "setuptools")},
             "egg_info": {"egg_base": static_build}},
)
