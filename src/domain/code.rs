//! Open enumerations: a code from the catalogue, or an unknown one kept verbatim.
//!
//! The rectorat's catalogue may be newer than ours, so an unknown code is
//! never an error: it is carried and shown as it is.

/// Declares an enum of known codes plus `Other(String)`, (de)serialised as
/// the plain code string.
#[macro_export]
macro_rules! open_code_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $code:literal, $label:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
            /// A code this catalogue does not know, kept verbatim.
            Other(String),
        }

        impl $name {
            /// Every known value, in catalogue order.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),+];

            /// The wire code.
            pub fn code(&self) -> &str {
                match self {
                    $($name::$variant => $code,)+
                    $name::Other(s) => s.as_str(),
                }
            }

            /// Parses a wire code; unknown codes become `Other`.
            pub fn from_code(code: &str) -> Self {
                match code {
                    $($code => $name::$variant,)+
                    other => $name::Other(other.to_string()),
                }
            }

            /// The French label; an unknown code is shown as it is.
            pub fn label(&self) -> &str {
                match self {
                    $($name::$variant => $label,)+
                    $name::Other(s) => s.as_str(),
                }
            }

            /// Whether the code is one this catalogue knows.
            pub fn is_known(&self) -> bool {
                !matches!(self, $name::Other(_))
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.code())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(d)?;
                Ok($name::from_code(&s))
            }
        }
    };
}
