import { configApiRef, useApi } from '@backstage/frontend-plugin-api';
import { makeStyles } from '@material-ui/core';

const useStyles = makeStyles(theme => ({
  banner: {
    padding: theme.spacing(0.75, 2),
    background: theme.palette.warning.main,
    color: theme.palette.getContrastText(theme.palette.warning.main),
    fontSize: theme.typography.body2.fontSize,
    fontWeight: 500,
    textAlign: 'center',
  },
}));

/** Says, on every page, that this app runs against local emulators. */
export const LocalDemoBanner = () => {
  const classes = useStyles();
  const text = useApi(configApiRef).getOptionalString('localDemo.banner');
  if (!text) {
    return null;
  }
  return (
    <div role="banner" aria-label="local demo" className={classes.banner}>
      {text}
    </div>
  );
};
