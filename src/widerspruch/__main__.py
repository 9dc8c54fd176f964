from widerspruch.cli import main

main()
