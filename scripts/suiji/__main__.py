from suiji.cli import run

run()
