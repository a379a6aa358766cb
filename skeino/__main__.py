from skeino.cli import main

raise SystemExit(main())
