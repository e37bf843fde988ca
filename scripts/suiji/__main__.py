from suiji.cli.app import run

run()
