//! A component built against another version of the contract: its `log`
//! import and its exports do not match plume:check@0.1.0, so the host must
//! refuse it before running anything, naming what does not match.

wit_bindgen::generate!({
    inline: "
        package plume:check@0.9.0;
        interface log {
            write: func(message: string);
        }
        world plugin {
            import log;
            export describe: func() -> string;
        }
    ",
});

struct Old;

impl Guest for Old {
    fn describe() -> String {
        plume::check::log::write("old contract");
        "old".to_owned()
    }
}

export!(Old);
