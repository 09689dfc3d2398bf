from eval.questions.run import main

raise SystemExit(main())
