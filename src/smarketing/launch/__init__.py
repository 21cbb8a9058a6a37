"""Starting the web app (`smarketing app`): where the app's files are (app_files), the Streamlit options the
launcher adds and the one line it prints (streamlit_options), and several app processes behind nginx
(workers, nginx), and whether a server answers (health). Nothing here imports the analysis modules."""

from smarketing.launch.health import healthy, wait_healthy

__all__ = ["healthy", "wait_healthy"]
