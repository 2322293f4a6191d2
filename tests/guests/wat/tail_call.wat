;; A plugin whose `describe` ends in a tail call (`return_call`), a
;; proposal the baseline compiler does not handle: the host compiles it with
;; Cranelift at once. One group `g` with one check `c`, always ok.
(component
  (core module $main
    (memory (export "memory") 1)
    ;; strings
    (data (i32.const 100) "tails")
    (data (i32.const 110) "0.1.0")
    (data (i32.const 120) "g")
    (data (i32.const 124) "c")
    (data (i32.const 128) "ok")
    ;; list<string> of checks at 200: ["c"]
    (data (i32.const 200) "\7c\00\00\00\01\00\00\00")
    ;; group-info at 300: name "g", checks, depends-on []
    (data (i32.const 300) "\78\00\00\00\01\00\00\00\c8\00\00\00\01\00\00\00\00\00\00\00\00\00\00\00")
    ;; plugin-info at 400: name, version, groups, config-keys [], secrets []
    (data (i32.const 400) "\64\00\00\00\05\00\00\00\6e\00\00\00\05\00\00\00\2c\01\00\00\01\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00")
    ;; check-result at 500: ok, status none, detail "ok"
    (data (i32.const 500) "\00\00\00\00\00\00\00\00\80\00\00\00\02\00\00\00")
    (global $next (mut i32) (i32.const 1024))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $at i32)
      (local.set $at (global.get $next))
      (global.set $next (i32.add (global.get $next) (i32.add (local.get 3) (i32.const 8))))
      (local.get $at))
    (func $plugin-info (result i32) (i32.const 400))
    ;; A tail call: a proposal the baseline compiler (Winch) does not handle.
    (func (export "describe") (result i32) (return_call $plugin-info))
    (func (export "run-check") (param i32 i32 i32 i32) (result i32) (i32.const 500))
  )
  (core instance $i (instantiate $main))
  (type $outcome' (enum "ok" "err" "skip"))
  (export $outcome "outcome" (type $outcome'))
  (type $check-result' (record (field "outcome" $outcome) (field "status" (option u16)) (field "detail" string)))
  (export $check-result "check-result" (type $check-result'))
  (type $group-info' (record (field "name" string) (field "checks" (list string)) (field "depends-on" (list string))))
  (export $group-info "group-info" (type $group-info'))
  (type $plugin-info' (record (field "name" string) (field "version" string) (field "groups" (list $group-info)) (field "config-keys" (list string)) (field "secrets" (list string))))
  (export $plugin-info "plugin-info" (type $plugin-info'))
  (func $describe (result $plugin-info)
    (canon lift (core func $i "describe") (memory (core memory $i "memory")) (realloc (core func $i "realloc"))))
  (func $run (param "group" string) (param "check" string) (result $check-result)
    (canon lift (core func $i "run-check") (memory (core memory $i "memory")) (realloc (core func $i "realloc"))))
  (export "describe" (func $describe))
  (export "run-check" (func $run))
)
