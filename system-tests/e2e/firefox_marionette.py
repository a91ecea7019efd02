"""Headless Firefox (Debian's firefox-esr) driven over its own Marionette protocol with the `marionette-driver`
client, since Debian ships no geckodriver. Each `Firefox` runs a fresh profile in a folder the caller gives,
listens on a port the system picks (Firefox writes it to the profile's MarionetteActivePort), and is stopped by its
process group (its content processes included). `-remote-allow-system-access` lets the test set preferences (the
colour scheme) and read the browser's own console and request log from the chrome context."""
import os
import pathlib
import shutil
import signal
import subprocess
import time

from marionette_driver.marionette import Marionette

FIREFOX = shutil.which("firefox-esr") or shutil.which("firefox")

# A fresh profile that stays quiet: no first-run pages, no background fetches (Marionette's recommended preferences
# cover most of it), page console messages copied to the log for a failing run's diagnosis.
PREFS = {
    "marionette.port": 0,
    "browser.shell.checkDefaultBrowser": False,
    "browser.startup.homepage_override.mstone": "ignore",
    "browser.aboutwelcome.enabled": False,
    "datareporting.policy.dataSubmissionEnabled": False,
    "toolkit.telemetry.reportingpolicy.firstRun": False,
    "app.normandy.enabled": False,
    "messaging-system.rsexperimentloader.enabled": False,
    "browser.safebrowsing.malware.enabled": False,
    "browser.safebrowsing.phishing.enabled": False,
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    "devtools.console.stdout.content": True,
}

# Chrome-context script (kept in one sandbox across calls): records the URL of every request a web page (a content
# principal) starts, whatever API started it: documents, scripts, styles, images, fetch and EventSource.
WATCH_REQUESTS = """
if (!this.tandemRequests) {
  this.tandemRequests = [];
  const seen = this.tandemRequests;
  this.tandemObserver = {observe(subject) {
    const channel = subject.QueryInterface(Ci.nsIChannel);
    const principal = channel.loadInfo && channel.loadInfo.triggeringPrincipal;
    if (principal && principal.isContentPrincipal) seen.push(channel.URI.spec);
  }};
  Services.obs.addObserver(this.tandemObserver, "http-on-modify-request");
}
return this.tandemRequests.length;
"""

# Chrome-context script: the errors (not warnings) web pages logged: uncaught exceptions, failed scripts, CSP.
PAGE_ERRORS = """
return Services.console.getMessageArray()
  .filter(m => m instanceof Ci.nsIScriptError && !m.isFromChromeContext && (m.flags & 1) === 0 && !(m.flags & 8))
  .map(m => `${m.category}: ${m.errorMessage} (${m.sourceName}:${m.lineNumber})`);
"""


class Firefox:
    """One headless Firefox with a Marionette session; `execute_script(script, *args)` as selenium's."""

    def __init__(self, folder: pathlib.Path, width: int = 1280, height: int = 900, timeout: float = 60.0):
        self.profile = folder / "profile"
        self.profile.mkdir(parents=True)
        with (self.profile / "user.js").open("w") as prefs:
            for name, value in PREFS.items():
                prefs.write(f'user_pref("{name}", {str(value).lower() if isinstance(value, bool) else repr(value)});\n')
        self.log = folder / "firefox.log"
        env = dict(os.environ, MOZ_HEADLESS="1", MOZ_CRASHREPORTER_DISABLE="1", HOME=str(folder))
        self.process = subprocess.Popen(
            [FIREFOX, "--marionette", "-headless", "-remote-allow-system-access", "-no-remote", "-profile",
             str(self.profile)], stdout=self.log.open("wb"), stderr=subprocess.STDOUT, env=env,
            start_new_session=True)
        try:
            port = self._wait_port(timeout)
            self.marionette = Marionette(host="127.0.0.1", port=port, startup_timeout=int(timeout))
            self.marionette.start_session()
            self.marionette.timeout.page_load = timeout
            self.marionette.timeout.script = timeout
            self.marionette.set_window_rect(width=width, height=height)
            self.chrome(WATCH_REQUESTS)
        except BaseException:
            self.close()
            raise

    def _wait_port(self, timeout: float) -> int:
        """The Marionette port, once Firefox has written it (bounded; fails at once if Firefox exits)."""
        port_file = self.profile / "MarionetteActivePort"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"firefox exited with {self.process.returncode}: {self.log.read_text()[-2000:]}")
            text = port_file.read_text().strip() if port_file.exists() else ""
            if text.isdigit():
                return int(text)
            time.sleep(0.05)
        raise TimeoutError(f"firefox wrote no Marionette port in {timeout} s")

    def execute_script(self, script, *args):
        """Runs `script` (a function body reading `arguments`) in the page itself, no sandbox, as selenium does."""
        return self.marionette.execute_script(script, script_args=list(args), sandbox=None)

    def chrome(self, script, *args):
        """Runs `script` with the browser's own privileges, in one sandbox kept across calls."""
        with self.marionette.using_context(self.marionette.CONTEXT_CHROME):
            return self.marionette.execute_script(script, script_args=list(args), new_sandbox=False,
                                                  sandbox="tandem-test")

    def navigate(self, url: str):
        self.marionette.navigate(url)

    @property
    def title(self) -> str:
        return self.marionette.title

    def set_pref(self, name: str, value):
        self.marionette.set_pref(name, value)

    def requests(self) -> list[str]:
        """Every URL a web page requested since the browser started."""
        return self.chrome(WATCH_REQUESTS.replace("return this.tandemRequests.length;", "return this.tandemRequests;"))

    def page_errors(self) -> list[str]:
        """The errors web pages logged since the browser started."""
        return self.chrome(PAGE_ERRORS)

    def screenshot(self, path: pathlib.Path):
        """The whole page (not only the window), as a PNG."""
        path.write_bytes(self.marionette.screenshot(format="binary", full=True))

    def close(self):
        """Ends the session and stops Firefox and its child processes (its own process group), bounded."""
        marionette = getattr(self, "marionette", None)
        if marionette is not None and marionette.session is not None:
            try:
                marionette.delete_session()
            except Exception:  # the browser may already be gone; stopping it below is what matters
                pass
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # the content processes left behind, if any
        except ProcessLookupError:
            pass
        self.process.wait(15)
