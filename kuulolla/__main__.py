from kuulolla.cli import main

main()
