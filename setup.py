"""One build step on top of pyproject.toml: the wheel carries the Streamlit app.

The app (app.py, pages/ and the app's .streamlit/config.toml) stays at the top of the checkout, where
`streamlit run app.py` and the page table expect it. Building a wheel copies it into the package as
smarketing/_app/, where `smarketing app` finds it through importlib.resources (smarketing.launch.app_files);
an editable install runs the checkout's own files instead. Everything else is declared in pyproject.toml.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
APP_FILES = ("app.py", "pages/*.py", ".streamlit/config.toml")


class BuildWithApp(build_py):
    def run(self):
        super().run()
        if self.editable_mode:
            return
        target = Path(self.build_lib) / "smarketing" / "_app"
        for pattern in APP_FILES:
            for source in sorted(HERE.glob(pattern)):
                destination = target / source.relative_to(HERE)
                self.mkpath(str(destination.parent))
                self.copy_file(str(source), str(destination))


setup(cmdclass={"build_py": BuildWithApp})
